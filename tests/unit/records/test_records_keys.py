"""Time bounds, the reversed-key regex and the key span: exact against a brute-force check."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from smartcar.core.driving_record import row_key
from smartcar.records.errors import RowKeyError, TimeRangeError
from smartcar.records.keys import TimeRange, key_span, parse_bound, parse_row_key, row_regex


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2020", "20200101000000", "20201231240000"),
        ("202002", "20200201000000", "20200229240000"),
        ("20200322", "20200322000000", "20200322240000"),
        ("2020-03-22", "20200322000000", "20200322240000"),
        ("2020032210", "20200322100000", "20200322105959"),
        ("2020-03-22 10:30", "20200322103000", "20200322103059"),
        ("2020-03-22T10:30:15", "20200322103015", "20200322103015"),
        ("20200322240000", "20200322240000", "20200322240000"),
        ("2020032224", "20200322240000", "20200322240000"),
    ],
)
def test_parse_bound_pads_by_precision(text: str, low: str, high: str) -> None:
    assert parse_bound(text, upper=False) == low
    assert parse_bound(text, upper=True) == high


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "malformed time"),
        ("2020032", "malformed time"),
        ("00000101", "year 0000"),
        ("2020-03-22 10:30:00.5", "malformed time"),
        ("20201301", "month 13"),
        ("20200230", "has no day 30"),
        ("2020032225", "hour 25"),
        ("202003221060", "minute 60"),
        ("20200322240100", "hour 24 only exists as 24:00:00"),
    ],
)
def test_parse_bound_rejects(text: str, message: str) -> None:
    with pytest.raises(TimeRangeError, match=message):
        parse_bound(text, upper=False)


def test_from_after_to_is_rejected() -> None:
    with pytest.raises(TimeRangeError, match="is after to"):
        TimeRange.parse("2020032211", "2020032210")
    assert TimeRange.parse("2020032210", "2020032210").count_seconds() == 3600


def test_iter_timestamps_covers_day_end_and_midnight() -> None:
    day = list(TimeRange.parse("20200322", "20200322").iter_timestamps())
    assert len(day) == 86_401 and day[0] == "20200322000000" and day[-1] == "20200322240000"
    assert day == sorted(day)
    across = list(TimeRange.parse("20200322235959", "20200323000000").iter_timestamps())
    assert across == ["20200322235959", "20200322240000", "20200323000000"]


def _random_ts(rnd: random.Random) -> str:
    base = dt.datetime(2020, 2, 27) + dt.timedelta(seconds=rnd.randrange(5 * 86_400))
    return base.strftime("%Y%m%d%H%M%S") if rnd.random() > 0.01 else base.strftime("%Y%m%d") + "240000"


def test_row_regex_and_key_span_agree_with_brute_force() -> None:
    rnd = random.Random(8)
    keys = sorted({row_key(_random_ts(rnd), rnd.choice(["A0001", "B0002", "Z0100"])) for _ in range(2000)})
    bounds = ["2020", "202002", "20200228", "2020022823", "20200229", "2020-03-01 12", "202003011200", "20200301120030"]
    for _ in range(50):
        a, b = rnd.choice(bounds), rnd.choice(bounds)
        try:
            tr = TimeRange.parse(a, b)
        except TimeRangeError:
            continue
        for cars in ((), ("B0002",), ("A0001", "Z0100")):
            regex = row_regex(tr, cars)
            assert regex is not None
            compiled = re.compile(regex)
            expected = [
                k for k in keys if tr.contains(parse_row_key(k)[0]) and (not cars or parse_row_key(k)[1] in cars)
            ]
            assert [k for k in keys if compiled.search(k)] == expected, (a, b, cars, regex)
        start, stop = key_span(tr)
        inside = [k for k in keys if tr.contains(parse_row_key(k)[0])]
        assert all((start is None or k >= start) and (stop is None or k < stop) for k in inside)


def test_key_span_narrows_short_ranges() -> None:
    one_second = TimeRange.parse("20200322101010", "20200322101010")
    assert key_span(one_second) == ("01010122300202-", "01010122300202.")
    five_seconds = TimeRange.parse("20200322100000", "20200322100004")
    assert key_span(five_seconds) == ("0", "5")
    assert key_span(TimeRange.parse("2020032210", "2020032210")) == (None, None)
    assert row_regex(TimeRange()) is None


def test_parse_row_key() -> None:
    assert parse_row_key("00601030106102-Z0020") == ("20160103010600", "Z0020")
    for bad in ("20160103010600", "0060103010610-Z0020", "00601030106102-", "00601030106102-Z 20", "x"):
        with pytest.raises(RowKeyError, match="malformed row key"):
            parse_row_key(bad)
