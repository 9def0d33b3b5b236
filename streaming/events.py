"""One driving-log line (docs/data-formats.md#driving-log) -> a typed :class:`DrivingEvent`, or a dead-letter reason.

The line is the original's 8 comma-separated fields. Validation is strict on the codes the
simulator can produce (pedal steps, steering, turn signal, area) because a detector that
silently averages garbage is worse than a counted dead letter. Parsing is hand-written with
``str.split`` and set look-ups because it runs for every event (tens of thousands per second);
a pydantic model would cost ~10x more per line.
"""

from __future__ import annotations

import calendar
import re
import time
from typing import NamedTuple

STEER_ANGLES = frozenset({"F", "L1", "L2", "L3", "R1", "R2", "R3"})
DIRECT_LIGHTS = frozenset({"N", "L", "R"})
SPEED_PEDALS = frozenset({"0", "1", "2", "3", "4", "5"})
BREAK_PEDALS = frozenset({"0", "1", "2", "3"})
AREAS = frozenset(f"{g}{i:02d}" for g in "ABCDEF" for i in range(1, 11))
MAX_SPEED = 250
HEADER_PREFIX = "Driver Status Infomation"  # sic, the simulator's per-thread header line

_CAR_RE = re.compile(r"[A-Z][0-9]{4}\Z")
_EPOCH_CACHE: dict[str, int] = {}
_EPOCH_CACHE_MAX = 200_000


class DrivingEvent(NamedTuple):
    """A validated driving record; ``epoch`` is the event time in UTC seconds.

    ``source`` keeps the 8 fields exactly as they arrived (UTF-8 bytes, in
    :data:`~smartcar.core.driving_record.DRIVING_FIELDS` order): HBase stores the car's own text,
    so the writer puts these bytes instead of rendering the typed values back into text.
    """

    date: str
    car_number: str
    speed_pedal: int
    break_pedal: int
    steer_angle: str
    direct_light: str
    speed: int
    area_number: str
    epoch: int
    source: tuple[bytes, ...]

    def to_line(self) -> str:
        """The source line (without its line break)."""
        return b",".join(self.source).decode()


class DeadLetter(NamedTuple):
    """A line that could not become an event, with a short machine-readable reason."""

    reason: str
    raw: bytes | str


def timestamp_epoch(ts: str) -> int | None:
    """``yyyyMMddHHmmss`` -> UTC epoch seconds, ``None`` if invalid.

    Hour ``24`` with ``0000`` is accepted: the simulator stamps the last record of a day
    ``...240000`` (docs/data-formats.md#timestamps), which is the next day's midnight.
    """
    cached = _EPOCH_CACHE.get(ts)
    if cached is not None:
        return cached
    if len(ts) != 14 or not ts.isdigit() or not ts.isascii():
        return None
    year, month, day = int(ts[0:4]), int(ts[4:6]), int(ts[6:8])
    hour, minute, second = int(ts[8:10]), int(ts[10:12]), int(ts[12:14])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second)):
        return None
    epoch = calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0)) + hour * 3600 + minute * 60 + second
    if len(_EPOCH_CACHE) >= _EPOCH_CACHE_MAX:
        _EPOCH_CACHE.clear()
    _EPOCH_CACHE[ts] = epoch
    return epoch


def epoch_timestamp(epoch: int) -> str:
    """UTC epoch seconds -> ``yyyyMMddHHmmss``."""
    t = time.gmtime(epoch)
    return f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}{t.tm_hour:02d}{t.tm_min:02d}{t.tm_sec:02d}"


def parse_line(raw: bytes | str) -> DrivingEvent | DeadLetter:
    """Validate one line; never raises."""
    if isinstance(raw, bytes):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            return DeadLetter("not_utf8", raw)
        data = raw
    else:
        line = raw
        data = raw.encode()
    line = line.rstrip("\r\n")
    parts = line.split(",")
    if len(parts) != 8:
        if line.startswith(HEADER_PREFIX):
            return DeadLetter("header_line", raw)
        return DeadLetter(f"field_count:{len(parts)}", raw)
    ts, car, acc, brk, steer, light, speed, area = parts
    epoch = timestamp_epoch(ts)
    if epoch is None:
        return DeadLetter("header_line" if line.startswith(HEADER_PREFIX) else "bad_timestamp", raw)
    if _CAR_RE.match(car) is None:
        return DeadLetter("bad_car_number", raw)
    if acc not in SPEED_PEDALS:
        return DeadLetter("unknown_code:speed_pedal", raw)
    if brk not in BREAK_PEDALS:
        return DeadLetter("unknown_code:break_pedal", raw)
    if steer not in STEER_ANGLES:
        return DeadLetter("unknown_code:steer_angle", raw)
    if light not in DIRECT_LIGHTS:
        return DeadLetter("unknown_code:direct_light", raw)
    if not (speed.isdigit() and speed.isascii()):
        return DeadLetter("non_numeric:speed", raw)
    speed_value = int(speed)
    if speed_value > MAX_SPEED or (len(speed) > 1 and speed[0] == "0"):
        return DeadLetter("out_of_range:speed", raw)
    if area not in AREAS:
        return DeadLetter("unknown_code:area_number", raw)
    source = tuple(data.rstrip(b"\r\n").split(b","))
    return DrivingEvent(ts, car, int(acc), int(brk), steer, light, speed_value, area, epoch, source)
