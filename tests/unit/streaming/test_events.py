"""Line parsing and validation (docs/data-formats.md#driving-log): each malformed kind has its dead-letter reason."""

from __future__ import annotations

import calendar

import pytest

from streaming.events import DeadLetter, DrivingEvent, epoch_timestamp, parse_line, timestamp_epoch

GOOD = "20160103010600,Z0020,2,0,L1,L,85,D04"


def test_valid_line_becomes_typed_event():
    ev = parse_line(GOOD.encode())
    assert isinstance(ev, DrivingEvent)
    assert (ev.date, ev.car_number, ev.speed_pedal, ev.break_pedal) == ("20160103010600", "Z0020", 2, 0)
    assert (ev.steer_angle, ev.direct_light, ev.speed, ev.area_number) == ("L1", "L", 85, "D04")
    assert ev.epoch == calendar.timegm((2016, 1, 3, 1, 6, 0))
    assert ev.to_line() == GOOD


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("20160103010600,Z0020,2,0,L1,L,85", "field_count:7"),
        ("20160103010600,Z0020,2,0,L1,L,85,D04,x", "field_count:9"),
        ("Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum,x", "header_line"),
        ("Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum", "header_line"),
        ("2016010301060,Z0020,2,0,L1,L,85,D04", "bad_timestamp"),
        ("20161303010600,Z0020,2,0,L1,L,85,D04", "bad_timestamp"),
        ("20160230010600,Z0020,2,0,L1,L,85,D04", "bad_timestamp"),
        ("20160103240100,Z0020,2,0,L1,L,85,D04", "bad_timestamp"),
        ("20160103016000,Z0020,2,0,L1,L,85,D04", "bad_timestamp"),
        ("20160103010600,z0020,2,0,L1,L,85,D04", "bad_car_number"),
        ("20160103010600,Z020,2,0,L1,L,85,D04", "bad_car_number"),
        ("20160103010600,Z0020,6,0,L1,L,85,D04", "unknown_code:speed_pedal"),
        ("20160103010600,Z0020,2,4,L1,L,85,D04", "unknown_code:break_pedal"),
        ("20160103010600,Z0020,2,0,L4,L,85,D04", "unknown_code:steer_angle"),
        ("20160103010600,Z0020,2,0,L1,X,85,D04", "unknown_code:direct_light"),
        ("20160103010600,Z0020,2,0,L1,L,fast,D04", "non_numeric:speed"),
        ("20160103010600,Z0020,2,0,L1,L,-5,D04", "non_numeric:speed"),
        ("20160103010600,Z0020,2,0,L1,L,251,D04", "out_of_range:speed"),
        ("20160103010600,Z0020,2,0,L1,L,85,G04", "unknown_code:area_number"),
        ("20160103010600,Z0020,2,0,L1,L,85,D11", "unknown_code:area_number"),
    ],
)
def test_malformed_lines_are_dead_letters_with_reason(line, reason):
    result = parse_line(line.encode())
    assert isinstance(result, DeadLetter)
    assert result.reason == reason
    assert result.raw == line.encode()


def test_non_utf8_is_a_dead_letter():
    assert parse_line(b"\xff\xfe,broken").reason == "not_utf8"


def test_hour_24_is_next_midnight():
    """The simulator's last record of a day is stamped ...240000 (docs/data-formats.md#timestamps)."""
    assert timestamp_epoch("20200322240000") == timestamp_epoch("20200323000000")
    ev = parse_line("20200322240000,A0001,1,0,F,N,60,A01")
    assert isinstance(ev, DrivingEvent) and ev.date == "20200322240000"


def test_epoch_round_trip():
    for ts in ("20200322000000", "20211107235958", "20160229120000"):
        assert epoch_timestamp(timestamp_epoch(ts)) == ts
