"""Window state machines that run a :class:`~streaming.rules.model.Rule` (hand-written; see processor docstring).

One :class:`WindowedAggregation` holds the open windows of one rule *generation* (a rule
version) for one input partition, **per business day**: ``{day: DayWindows}``, each with
``{window start: {car: accumulator}}``. Windows are aligned to the epoch (or, in processing time,
to the moment the processor started, like Esper's ``time_batch``), so all cars share a handful of
window starts and closing is a scan over a few dict keys, not over cars. A window belongs to the
UTC day of its start; a window never spans days for the shipped rules (30 s and 60 s divide a day).

Why per day: users stream a past day after newer ones (replays, backfills, simulations) and cars
send wrong clocks. With one event-time mark per partition, the first newer event would make every
older day "late" forever. Here each day has its own marks: the caller closes a day's windows with
that day's watermark (:mod:`streaming.watermarks`), and an event is late only against the windows
of its own day. Events for windows already closed are counted as ``late``; events below the
replay floor of their day (windows reported before a restart) as ``below_floor`` (or ``late`` when
the caller says they are new events, not replayed ones). They are still stored in HBase.

Restart: the processor commits Kafka offsets only up to the oldest event a not-yet-closed window
of any day may still need (:meth:`floors`), and persists those floors per day. After a restart it
replays from the committed offset with them: windows starting before their day's floor were closed
(and reported) before the crash and are not rebuilt; every window starting at or after it is
rebuilt from complete input, so it reports the same alert again, which the Redis writes absorb.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from smartcar.core.driving_record import DRIVING_FIELDS
from streaming.events import DrivingEvent, epoch_timestamp
from streaming.rules.model import Rule

NEG_INF = -(2**62)
POS_INF = 2**62

# accumulator layout: [count, value, last_epoch, last_timestamp]
Acc = list


@dataclass(frozen=True, slots=True)
class Alert:
    """A window whose aggregate met the rule's condition (the original EsperBolt emitted ``date, car``)."""

    rule: str
    rule_version: int
    car_number: str
    window_start: int
    window_end: int
    time_mode: str
    value: float
    count: int
    last_timestamp: str
    redis_key: str
    member: str
    ttl_seconds: int

    @property
    def alert_id(self) -> str:
        """Stable across replays: rule, car and window bounds."""
        prefix = "" if self.time_mode == "event" else "p"
        return f"{self.rule}:{self.car_number}:{prefix}{epoch_timestamp(self.window_start)}"

    def as_record(self) -> dict[str, str]:
        return {
            "id": self.alert_id,
            "rule": self.rule,
            "rule_version": str(self.rule_version),
            "car_number": self.car_number,
            "window_start": epoch_timestamp(self.window_start),
            "window_end": epoch_timestamp(self.window_end),
            "time_mode": self.time_mode,
            "value": f"{self.value:.3f}",
            "count": str(self.count),
            "last_timestamp": self.last_timestamp,
            "redis_key": self.redis_key,
            "member": self.member,
        }


def _compile_update(rule: Rule) -> Callable[[Acc, DrivingEvent], None]:
    """Per-event accumulator update, specialised once per rule (the hot path)."""
    fn = rule.aggregate.function
    idx = DRIVING_FIELDS.index(rule.aggregate.field) if rule.aggregate.field else -1
    if fn in ("avg", "sum"):

        def update(acc: Acc, e: DrivingEvent) -> None:
            acc[0] += 1
            acc[1] += e[idx]

    elif fn == "min":

        def update(acc: Acc, e: DrivingEvent) -> None:
            acc[0] += 1
            if e[idx] < acc[1]:
                acc[1] = e[idx]

    elif fn == "max":

        def update(acc: Acc, e: DrivingEvent) -> None:
            acc[0] += 1
            if e[idx] > acc[1]:
                acc[1] = e[idx]

    elif fn == "count":

        def update(acc: Acc, e: DrivingEvent) -> None:
            acc[0] += 1
            acc[1] += 1

    else:  # count_matching
        values = frozenset(rule.aggregate.values)

        def update(acc: Acc, e: DrivingEvent) -> None:
            acc[0] += 1
            if e[idx] in values:
                acc[1] += 1

    return update


def _initial(rule: Rule) -> float:
    return {"min": math.inf, "max": -math.inf}.get(rule.aggregate.function, 0)


def _result(rule: Rule, acc: Acc) -> float:
    if rule.aggregate.function == "avg":
        return acc[1] / acc[0]
    return acc[1]


DAY_SECONDS = 86_400


def day_of(epoch: int) -> int:
    """The UTC day number of an epoch second (``epoch // 86400``): the key of a day's windows."""
    return epoch // DAY_SECONDS


class DayWindows:
    """The open windows of one day in one generation, and how far that day is closed."""

    __slots__ = ("closed_before", "hi", "lo", "max_time", "open")

    def __init__(self, lo: int = NEG_INF, hi: int = POS_INF) -> None:
        self.open: dict[int, dict[str, Acc]] = {}
        self.lo = lo
        """Windows starting before this belong to an older generation of the rule (version cut-over)."""
        self.hi = hi
        """Windows starting at or after this belong to a newer generation."""
        self.closed_before = NEG_INF
        """Windows of this day with end <= this are closed."""
        self.max_time = NEG_INF
        """Newest event time folded into this day's windows (the version cut-over point)."""


class WindowedAggregation:
    """Open windows of one rule generation, per day; accepts windows starting in each day's ``[lo, hi)``."""

    def __init__(self, rule: Rule, origin: int = 0) -> None:
        self.rule = rule
        self.spec = rule.window
        self.origin = origin  # processing time: windows aligned to processor start, like time_batch
        self.days: dict[int, DayWindows] = {}
        self.fenced = False
        """A newer generation took over: days this one never saw go to the newer one."""
        self.not_windowed: dict[str, int] = {"late": 0, "below_floor": 0}
        """Events no window of this generation took, by reason (counted once per event)."""
        self._update = _compile_update(rule)
        self._init = _initial(rule)
        self._filters = [c.compile() for c in rule.where]

    @property
    def event_time(self) -> bool:
        return self.spec.time == "event"

    def day(self, day: int) -> DayWindows | None:
        """The windows of ``day``, created on first use unless a newer generation owns new days."""
        dw = self.days.get(day)
        if dw is None and not self.fenced:
            dw = self.days[day] = DayWindows()
        return dw

    def add(
        self,
        events: Iterable[DrivingEvent],
        floors: Mapping[int, int] | None = None,
        now: int | None = None,
        below_floor: str = "below_floor",
    ) -> None:
        """Fold events into their windows. ``now`` (processing time) replaces the event time.

        ``floors`` maps a day to the start of its oldest window not yet reported (the replay floor);
        events of older windows are counted under ``below_floor`` (the caller names them ``late``
        when they are new events rather than a replay).
        """
        size, step, origin = self.spec.size, self.spec.step, self.origin
        update, init, filters = self._update, self._init, self._filters
        floors = floors or {}
        counts = self.not_windowed
        tumbling = size == step
        cur_day = None
        dw: DayWindows | None = None
        open_: dict[int, dict[str, Acc]] = {}
        lo = hi = closed = floor = 0
        for e in events:
            if filters and not all(f(e) for f in filters):
                continue
            t = e.epoch if now is None else now
            rel = t - origin
            last = t - rel % step
            starts = (last,) if tumbling else range(last - size + step, last + 1, step)
            taken = False
            reason = None
            for start in starts:
                day = start // DAY_SECONDS
                if day != cur_day:
                    cur_day = day
                    dw = self.day(day)
                    if dw is not None:
                        open_, lo, hi, closed = dw.open, dw.lo, dw.hi, dw.closed_before
                        floor = floors.get(day, NEG_INF)
                if dw is None or start < lo or start >= hi:
                    continue  # another generation's window (rule version cut-over)
                if start + size <= closed:
                    reason = "late"
                    continue
                if start < floor:
                    reason = below_floor
                    continue
                if t > dw.max_time:
                    dw.max_time = t
                bucket = open_.get(start)
                if bucket is None:
                    bucket = open_[start] = {}
                key = e.car_number
                acc = bucket.get(key)
                if acc is None:
                    acc = bucket[key] = [0, init, NEG_INF, ""]
                update(acc, e)
                if e.epoch >= acc[2]:
                    acc[2] = e.epoch
                    acc[3] = e.date
                taken = True
            if reason is not None and not taken:
                counts[reason] += 1

    def close(self, watermark: int) -> list[Alert]:
        """Close every window of every day whose end <= ``watermark`` (processing time, flushes)."""
        return self.close_days(dict.fromkeys(self.days, watermark))

    def close_days(self, watermarks: Mapping[int, int]) -> list[Alert]:
        """Close, per day, every window whose end <= that day's watermark; return the alerts among them."""
        size = self.spec.size
        alerts: list[Alert] = []
        for day, watermark in watermarks.items():
            dw = self.days.get(day)
            if dw is None:
                continue
            if watermark > dw.closed_before:
                dw.closed_before = watermark
            due = [s for s in dw.open if s + size <= watermark]
            for start in sorted(due):
                alerts.extend(self._alerts(start, dw.open.pop(start)))
        return alerts

    def _alerts(self, start: int, bucket: dict[str, Acc]) -> list[Alert]:
        rule = self.rule
        cond, out, size = rule.condition, rule.output, self.spec.size
        alerts: list[Alert] = []
        for car, acc in bucket.items():
            value = _result(rule, acc)
            if cond.holds(value, acc[0]):
                ts = acc[3]
                alerts.append(
                    Alert(
                        rule=rule.name,
                        rule_version=rule.version,
                        car_number=car,
                        window_start=start,
                        window_end=start + size,
                        time_mode=self.spec.time,
                        value=float(value),
                        count=acc[0],
                        last_timestamp=ts,
                        redis_key=out.key.format(date=ts[:8], rule=rule.name),
                        member=out.member.format(car=car, timestamp=ts, rule=rule.name),
                        ttl_seconds=out.ttl_seconds,
                    )
                )
        return alerts

    def floors(self) -> dict[int, int]:
        """Per day, the earliest event time a window that is not yet closed may still need (event time)."""
        size = self.spec.size
        out: dict[int, int] = {}
        for day, dw in self.days.items():
            oldest_open = min(dw.open, default=POS_INF)
            not_closed = dw.closed_before - size if dw.closed_before > NEG_INF else NEG_INF
            out[day] = min(oldest_open, max(not_closed, dw.lo))
        return out

    def finished(self) -> bool:
        """Fenced, nothing open, and every day closed past its fence: nothing left for this generation."""
        size = self.spec.size
        return self.fenced and all(not dw.open and dw.closed_before >= dw.hi + size for dw in self.days.values())

    def next_boundary(self, t: int) -> int:
        """First window start strictly after time ``t``."""
        step = self.spec.step
        return t - (t - self.origin) % step + step

    def cutover(self, dw: DayWindows, now: int | None = None) -> int:
        """Where a newer version takes over in this day: after its newest open window and its newest event."""
        end = max(dw.open) + self.spec.size if dw.open else NEG_INF
        t = dw.max_time if now is None else now
        boundary = self.next_boundary(t) if t > NEG_INF else NEG_INF
        return max(end, boundary)

    def open_keys(self) -> int:
        return sum(len(b) for dw in self.days.values() for b in dw.open.values())
