"""Window state machines that run a :class:`~streaming.rules.model.Rule` (hand-written; see processor docstring).

One :class:`WindowedAggregation` holds the open windows of one rule *generation* (a rule
version): ``{window start: {car: accumulator}}``. Windows are aligned to the epoch (or, in
processing time, to the moment the processor started, like Esper's ``time_batch``), so all cars
share a handful of window starts and closing is a scan over a few dict keys, not over cars.

Time: in event-time mode the watermark is the largest event time seen minus ``grace``; a window
closes when the watermark reaches its end, and events for closed windows are counted as late
(they are still stored in HBase, never lost). In processing-time mode the clock is ``time.time()``.

Restart: the processor commits Kafka offsets only up to the oldest event a not-yet-closed window
may still need (:meth:`floor`), and persists that floor. After a restart it replays from the
committed offset with ``min_start = floor``: windows starting before the floor were closed (and
reported) before the crash and are not rebuilt; every window starting at or after it is rebuilt
from complete input, so it reports the same alert again, which the Redis writes absorb.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from streaming.events import FIELD_NAMES, DrivingEvent, epoch_timestamp
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
    idx = FIELD_NAMES.index(rule.aggregate.field) if rule.aggregate.field else -1
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


class WindowedAggregation:
    """Open windows of one rule generation; accepts windows starting in ``[lo, hi)``."""

    def __init__(self, rule: Rule, lo: int = NEG_INF, hi: int = POS_INF, origin: int = 0) -> None:
        self.rule = rule
        self.spec = rule.window
        self.lo = lo
        self.hi = hi
        self.origin = origin  # processing time: windows aligned to processor start, like time_batch
        self.open: dict[int, dict[str, Acc]] = {}
        self.closed_before = NEG_INF  # windows with end <= this are closed
        self.max_time = NEG_INF
        self.late = 0
        self._update = _compile_update(rule)
        self._init = _initial(rule)
        self._filters = [c.compile() for c in rule.where]

    @property
    def event_time(self) -> bool:
        return self.spec.time == "event"

    def add(self, events: Iterable[DrivingEvent], min_start: int = NEG_INF, now: int | None = None) -> None:
        """Fold events into their windows. ``now`` (processing time) replaces the event time."""
        size, step, origin = self.spec.size, self.spec.step, self.origin
        lo = max(self.lo, min_start)
        hi, closed, open_, update, init = self.hi, self.closed_before, self.open, self._update, self._init
        filters = self._filters
        tumbling = size == step
        max_time = self.max_time
        for e in events:
            if filters and not all(f(e) for f in filters):
                continue
            t = e.epoch if now is None else now
            if t > max_time:
                max_time = t
            rel = t - origin
            last = t - rel % step
            starts = (last,) if tumbling else range(last - size + step, last + 1, step)
            for start in starts:
                if start < lo or start >= hi:
                    continue
                if start + size <= closed:
                    self.late += 1
                    continue
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
        self.max_time = max_time

    def close(self, watermark: int) -> list[Alert]:
        """Close every window whose end <= ``watermark``; return the alerts among them."""
        size = self.spec.size
        if watermark > self.closed_before:
            self.closed_before = watermark
        due = [s for s in self.open if s + size <= watermark]
        if not due:
            return []
        rule = self.rule
        cond, out = rule.condition, rule.output
        alerts: list[Alert] = []
        for start in sorted(due):
            for car, acc in self.open.pop(start).items():
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

    def floor(self) -> int:
        """Earliest event time a window that is not yet closed may still need (event time only)."""
        oldest_open = min(self.open, default=POS_INF)
        not_closed = self.closed_before - self.spec.size if self.closed_before > NEG_INF else NEG_INF
        return min(oldest_open, max(not_closed, self.lo))

    def max_open_end(self) -> int | None:
        return max(self.open) + self.spec.size if self.open else None

    def next_boundary(self, t: int) -> int:
        """First window start strictly after time ``t``."""
        step = self.spec.step
        return t - (t - self.origin) % step + step

    def open_keys(self) -> int:
        return sum(len(b) for b in self.open.values())
