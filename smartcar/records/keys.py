"""Time ranges and the reversed-timestamp row key: what part of DriverCarInfo a search must read.

The key is ``reverse(yyyyMMddHHmmss) + "-" + car`` (docs/data-formats.md#hbase-row-key). Reversing spreads writes over
regions, and it scatters time: the key starts with the *last* digit of the seconds, so one hour of one
day is not a key range but 3,600 tiny ones (one per second, each holding every car of that second),
interleaved with every other hour and day. Three consequences shape the search plans:

- one car over a bounded time: every possible key is known (each second in range + the car), so a
  batched multi-get reads exactly those rows and nothing else (``iter_timestamps``);
- all cars over up to a few hours: one prefix scan per second (``reverse(ts) + "-"``), each with the
  column conditions as a server filter;
- anything wider: a single scan whose ``RowFilter`` regex is the time range written on the reversed
  digits (:func:`row_regex`), narrowed to the key span the regex can touch (:func:`key_span`), which
  is the whole table unless the range is shorter than ten seconds.

Time bounds accept any precision (``2020``, ``202003``, ``20200322``, ``2020-03-22 10``,
``2020-03-22T10:30``, ``20200322103000``) and mean "every timestamp starting with that prefix": a
*from* bound is padded with the earliest, a *to* bound with the latest value. Timestamps compare as
14-digit strings, so the simulator's ``...240000`` end-of-day stamp (docs/data-formats.md#timestamps) sorts after
``...235959`` and belongs to its day. The multi-get and prefix-scan plans enumerate clock times
(seconds 00-59, minutes 00-59, hours 00-23 and the 24:00:00 stamp); a key whose timestamp is not a
clock time, which no writer of the pilot produces, would only be found by the scan plan.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from smartcar.core.driving_record import row_key
from smartcar.records.digitrange import Pattern, range_patterns, render_pattern
from smartcar.records.errors import RowKeyError, TimeRangeError

WIDTH = 14
LOWEST = "0" * WIDTH
HIGHEST = "9" * WIDTH
_SEPARATORS = re.compile(r"[-:T\s/.]")
_ROW_KEY = re.compile(r"(?P<rts>[0-9]{14})-(?P<car>[A-Za-z0-9_]+)")
_CAR = re.compile(r"[A-Za-z0-9_]+")


def parse_bound(text: str, *, upper: bool) -> str:
    """A user's time bound -> the 14-digit inclusive bound it stands for.

    ``parse_bound("2020-03-22 10", upper=False)`` -> ``"20200322100000"``;
    with ``upper=True`` -> ``"20200322105959"``.
    """
    digits = _SEPARATORS.sub("", text.strip())
    if not digits.isdigit() or len(digits) not in (4, 6, 8, 10, 12, 14):
        raise TimeRangeError(
            f"malformed time {text!r}: use yyyy[MM[dd[HH[mm[ss]]]]] such as 20200322, 2020032210 or 2020-03-22 10:30:00"
        )
    year, month, day = int(digits[:4]), _field(digits, 4), _field(digits, 6)
    hour, minute, second = _field(digits, 8), _field(digits, 10), _field(digits, 12)
    if year < 1:
        raise TimeRangeError(f"malformed time {text!r}: year 0000 does not exist")
    if month is not None and not 1 <= month <= 12:
        raise TimeRangeError(f"malformed time {text!r}: month {month:02d} is not 01-12")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month or 1)[1]:
        raise TimeRangeError(f"malformed time {text!r}: {year:04d}-{month:02d} has no day {day:02d}")
    if hour is not None and not 0 <= hour <= 24:
        raise TimeRangeError(f"malformed time {text!r}: hour {hour:02d} is not 00-24")
    for name, value in (("minute", minute), ("second", second)):
        if value is not None and not 0 <= value <= 59:
            raise TimeRangeError(f"malformed time {text!r}: {name} {value:02d} is not 00-59")
    if hour == 24 and (minute or second):
        raise TimeRangeError(f"malformed time {text!r}: hour 24 only exists as 24:00:00 (end of day)")
    if upper:
        month_ = month or 12
        day_ = day or calendar.monthrange(year, month_)[1]
        if hour is None or hour == 24:
            clock = "240000"  # the latest stamp of a day (docs/data-formats.md#timestamps)
        else:
            clock = f"{hour:02d}{59 if minute is None else minute:02d}{59 if second is None else second:02d}"
        return f"{year:04d}{month_:02d}{day_:02d}{clock}"
    return f"{year:04d}{month or 1:02d}{day or 1:02d}{hour or 0:02d}{minute or 0:02d}{second or 0:02d}"


def _field(digits: str, start: int) -> int | None:
    return int(digits[start : start + 2]) if len(digits) > start else None


@dataclass(frozen=True)
class TimeRange:
    """Inclusive range of 14-digit timestamps; ``None`` means open on that side."""

    start: str | None = None
    stop: str | None = None

    @classmethod
    def parse(cls, start: str | None, stop: str | None) -> TimeRange:
        """From the user's ``--from``/``--to`` text; raises :class:`TimeRangeError` when from > to."""
        low = parse_bound(start, upper=False) if start else None
        high = parse_bound(stop, upper=True) if stop else None
        if low and high and low > high:
            raise TimeRangeError(f"from {start!r} ({low}) is after to {stop!r} ({high})")
        return cls(low, high)

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.stop is not None

    @property
    def everything(self) -> bool:
        return self.start is None and self.stop is None

    def contains(self, timestamp: str) -> bool:
        return (self.start is None or timestamp >= self.start) and (self.stop is None or timestamp <= self.stop)

    def count_seconds(self) -> int | None:
        """How many clock timestamps the range spans (None when open); sizes the multi-get plan."""
        if not self.bounded:
            return None
        assert self.start is not None and self.stop is not None
        return max(0, _clock_index(self.stop) - _clock_index(self.start) + 1)

    def iter_timestamps(self) -> Iterator[str]:
        """Every clock timestamp in range in time order, each day's ``240000`` included."""
        if not self.bounded:
            raise ValueError("an open time range has no finite list of timestamps")
        assert self.start is not None and self.stop is not None
        first, last = _clock_index(self.start), _clock_index(self.stop)
        clock = _clock_strings()
        for day in range(first // _SLOTS_PER_DAY, last // _SLOTS_PER_DAY + 1):
            date = dt.date.fromordinal(day).strftime("%Y%m%d")
            low = max(first - day * _SLOTS_PER_DAY, 0)
            high = min(last - day * _SLOTS_PER_DAY, _SLOTS_PER_DAY - 1)
            for hhmmss in clock[low : high + 1]:
                ts = date + hhmmss
                if self.contains(ts):
                    yield ts


_SLOTS_PER_DAY = 86_401
"""00:00:00 .. 23:59:59 plus the simulator's 24:00:00 end-of-day stamp."""


def _clock_index(ts: str) -> int:
    """Position of a timestamp on the clock: consecutive seconds get consecutive numbers."""
    day = dt.date(int(ts[:4]), int(ts[4:6]), int(ts[6:8])).toordinal()
    hour, minute, second = int(ts[8:10]), int(ts[10:12]), int(ts[12:14])
    offset = 86_400 if hour >= 24 else min(hour * 3600 + minute * 60 + second, 86_399)
    return day * _SLOTS_PER_DAY + offset


@functools.cache
def _clock_strings() -> tuple[str, ...]:
    """``HHMMSS`` of every clock slot of a day, in order (built once; iterating it is cheap)."""
    slots = [f"{h:02d}{m:02d}{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
    return (*slots, "240000")


def reversed_patterns(time_range: TimeRange) -> list[Pattern]:
    """The range written as digit patterns of the *reversed* timestamp (empty list = any timestamp)."""
    if time_range.everything:
        return []
    forward = range_patterns(time_range.start or LOWEST, time_range.stop or HIGHEST)
    return [tuple(reversed(p)) for p in forward]


def row_regex(time_range: TimeRange, cars: Sequence[str] = ()) -> str | None:
    """Anchored regex over whole row keys for the time range and cars (None when nothing restricts)."""
    patterns = reversed_patterns(time_range)
    if not patterns and not cars:
        return None
    time_part = "(" + "|".join(render_pattern(p) for p in patterns) + ")" if patterns else "[0-9]{14}"
    car_part = "(" + "|".join(cars) + ")" if cars else ".*"
    return f"^{time_part}-{car_part}$"


def key_span(time_range: TimeRange) -> tuple[str | None, str | None]:
    """Smallest ``[row_start, row_stop)`` holding every key the range can match (None = table edge).

    Each reversed pattern starts with literal digits then a digit class; its keys lie between the
    literal prefix plus the class's lowest digit and the prefix plus the digit after its highest.
    """
    patterns = reversed_patterns(time_range)
    if not patterns:
        return None, None
    lows, highs = [], []
    for pattern in patterns:
        prefix = ""
        for low, high in pattern:
            if low != high:
                lows.append(prefix + low)
                highs.append(prefix + chr(ord(high) + 1))
                break
            prefix += low
        else:  # one exact timestamp: its keys are prefix + "-" + any car
            lows.append(prefix + "-")
            highs.append(prefix + ".")
    start, stop = min(lows), max(highs)
    if start <= "0" and stop >= ":":
        return None, None
    return start, stop


def validate_car(car: str) -> str:
    """A car number usable in a row key and a regex (letters, digits, underscore)."""
    if not _CAR.fullmatch(car):
        raise TimeRangeError(f"malformed car number {car!r}: expected letters and digits such as Z0020")
    return car


def parse_row_key(key: str) -> tuple[str, str]:
    """``"00601030106102-Z0020"`` -> ``("20160103010600", "Z0020")``; raises :class:`RowKeyError`."""
    match = _ROW_KEY.fullmatch(key)
    if not match:
        raise RowKeyError(
            f"malformed row key {key!r}: expected the reversed 14-digit timestamp, '-', the car number "
            f"(e.g. {row_key('20160103010600', 'Z0020')})"
        )
    return match["rts"][::-1], match["car"]
