"""Speeding detection is exact for any order of days (issue 22), on the real broker, HBase and Redis.

Each test streams days in an order the old single event-time mark got wrong, then compares the
alerts in Redis with an independent computation over the same lines (``tests/fixtures/speeding_oracle``).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from simulator.scripted import car_numbers, produce, scripted_lines
from smartcar.core.clients import redis_client
from streaming import alerts_store
from tests.fixtures.kafka_reading import read_topic
from tests.fixtures.speeding_oracle import speeding_windows

pytestmark = pytest.mark.integration


def _speed(car: str, t: int) -> int:
    """Per car and 30 s window a different level between 60 and 100, with a ripple inside the window."""
    return 60 + (int(car[1:]) * 7 + (t // 30) * 13) % 41 + t % 10


def _lines(cars: list[str], start: str, seconds: int) -> list[tuple[str, str]]:
    return list(scripted_lines(cars, start, seconds, _speed))


def _speeding_ids(settings, cars: list[str]) -> set[str]:
    r = redis_client(settings)
    ids: set[str] = set()
    for car in cars:
        ids.update(i for i in r.zrange(alerts_store.car_index_key(car), 0, -1) if i.startswith("speeding:"))
    return ids


def _settle(proc, total: int, wait_for) -> None:
    """Every event processed and every speeding window of every day closed (per-day idleness), alerts written."""
    wait_for(lambda: proc.counters.valid + proc.counters.dead_letters == total, 90, f"{total} events processed")
    wait_for(lambda: proc.engine.open_windows("speeding") == 0, 90, "every speeding window closed")
    time.sleep(1.0)  # the batch that closed the last windows writes its alerts right after


def _check(s, proc, cars: list[str], lines: list[str]) -> None:
    expected = speeding_windows(lines)
    assert expected, "the workload must contain speeding windows"
    got = _speeding_ids(s, cars)
    assert got == expected, f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"
    nw = proc.engine.not_windowed()
    assert nw["late"].get("speeding", 0) == 0 and nw["below_floor"].get("speeding", 0) == 0


def test_a_past_day_streamed_after_a_newer_day(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = car_numbers(30, "T")
    newer = _lines(cars, "20200326080000", 300)
    past = _lines(cars, "20200325080000", 600)
    proc = run_processor(s, idle_advance_after_s=1)
    produce(newer, s, partitions=2)
    _settle(proc, len(newer), wait_for)  # the newer day is complete and closed before the past one
    produce(past, s, partitions=2)
    _settle(proc, len(newer) + len(past), wait_for)
    _check(s, proc, cars, [line for _, line in newer + past])
    assert len(speeding_windows(line for _, line in past)) > 50


def test_two_days_interleaved_in_each_partition(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = car_numbers(30, "U")
    a = _lines(cars, "20200327080000", 600)
    b = _lines(cars, "20200328080000", 600)
    step = len(cars) * 5  # ten seconds of each day in turn: every partition carries both, interleaved
    mixed = [pair for i in range(0, len(a), step) for pair in a[i : i + step] + b[i : i + step]]
    proc = run_processor(s, idle_advance_after_s=1)
    produce(mixed, s, partitions=2)
    _settle(proc, len(mixed), wait_for)
    _check(s, proc, cars, [line for _, line in mixed])


def test_an_event_dated_2099_is_a_dead_letter_and_the_next_day_is_exact(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = car_numbers(30, "W")
    wrong_clock = (cars[0], f"20990101000000,{cars[0]},1,0,F,N,120,A01")
    day = _lines(cars, "20200329080000", 600)
    proc = run_processor(s, idle_advance_after_s=1)
    produce([wrong_clock, *day], s, partitions=2)
    _settle(proc, 1 + len(day), wait_for)
    _check(s, proc, cars, [line for _, line in day])
    assert proc.counters.dead_letter_reasons == {"future_timestamp": 1}
    (dead,) = read_topic(s, s.kafka_dead_letter_topic, 1, timeout=30, settle_s=0.5)
    assert dead.value().decode() == wrong_clock[1]
    assert dict(dead.headers() or [])["reason"] == b"future_timestamp"
    wait_for(lambda: _health(s)["not_windowed"]["future"] == 1, 10, "the future event counted in the health record")


def _health(s) -> dict:
    from streaming.health import read_health

    return read_health(s)


def test_a_past_day_streamed_while_today_streams_live(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = car_numbers(30, "X")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(seconds=now.second % 30 + 300)  # today, five minutes ago, on a window boundary
    today = _lines(cars, start.strftime("%Y%m%d%H%M%S"), 240)
    past = _lines(cars, "20200330080000", 600)
    proc = run_processor(s, idle_advance_after_s=1)

    def live() -> None:  # the second producer: today's traffic in small chunks while the past day streams
        chunk = len(cars) * 10
        for i in range(0, len(today), chunk):
            produce(today[i : i + chunk], s, partitions=2)
            time.sleep(0.2)

    second = threading.Thread(target=live)
    second.start()
    chunk = len(cars) * 20
    for i in range(0, len(past), chunk):
        produce(past[i : i + chunk], s, partitions=2)
    second.join(120)
    _settle(proc, len(today) + len(past), wait_for)
    _check(s, proc, cars, [line for _, line in today + past])
    assert speeding_windows(line for _, line in today) and speeding_windows(line for _, line in past)


def test_events_older_than_the_state_retention_are_stored_and_counted(stream_settings, run_processor, wait_for):
    from tests.fixtures.stream_results import count_rows

    s = stream_settings.model_copy(update={"stream_state_retention_days": 30})
    cars = car_numbers(10, "V")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(seconds=now.second % 30 + 120)
    today = _lines(cars, start.strftime("%Y%m%d%H%M%S"), 90)
    old = _lines(cars, "20200301080000", 90)  # years before the 30-day retention
    proc = run_processor(s, idle_advance_after_s=1)
    produce(old + today, s, partitions=2)
    _settle(proc, len(old) + len(today), wait_for)
    assert proc.counters.too_old == len(old)
    wait_for(lambda: count_rows(s) == len(old) + len(today), 30, "every event stored in HBase, old ones too")
    expected = speeding_windows(line for _, line in today)
    assert expected and _speeding_ids(s, cars) == expected  # the old day raised nothing, and was not lost
    wait_for(lambda: _health(s)["not_windowed"]["too_old"] == len(old), 10, "too_old in the health record")
