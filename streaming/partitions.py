"""What the processor knows about each partition it owns, as one object per partition.

Everything here is dropped when a partition is revoked: the next owner rebuilds it by replay from
the committed offsets (see :mod:`streaming.offsets`). Offsets are remembered per 16-second bucket
of event time (the first offset that carried an event of that bucket), which is what lets a commit
stop exactly at the oldest event an open window may still need, with bounded memory. Event time is
kept **per day** (:class:`DayClock`): a past day streamed after a newer one has its own clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, TopicPartition

from streaming.events import DrivingEvent
from streaming.windows import DAY_SECONDS, NEG_INF

BUCKET_SHIFT = 4
"""Offsets are tracked per 16-second bucket of event time and partition (bounded, cheap)."""


@dataclass(slots=True)
class DayClock:
    """How far one day's events have come in one partition."""

    max_time: int = NEG_INF
    """Highest event time of this day delivered so far."""
    last_seen: float = 0.0
    """Monotonic time of the last batch that carried an event of this day: the day's idleness clock."""


@dataclass
class PartitionState:
    replay_floors: dict[int, int] = field(default_factory=dict)
    """Per day, the event time below which a previous owner already reported the windows (from Redis)."""
    replay_end: int = 0
    """Offsets below this were processed by a previous owner: events there are a replay."""
    last_seen: float = 0.0
    """Monotonic time of the last batch with events (or of the assignment): the partition's idleness clock."""
    buckets: dict[int, int] = field(default_factory=dict)
    """Event-time bucket -> first offset seen carrying it (pruned below the commit floor)."""
    next_offset: int | None = None
    committed: int | None = None
    days: dict[int, DayClock] = field(default_factory=dict)
    idle_checked: tuple[float, bool] = (0.0, False)
    """(when, result) of the last broker round trip asking whether anything is left to read."""

    def record(self, offset: int, epoch: int) -> None:
        """Note one valid event (the offset's bucket keeps its first offset)."""
        self.buckets.setdefault(epoch >> BUCKET_SHIFT, offset)

    def advance(self, events: Sequence[DrivingEvent], wall: float) -> None:
        """A batch delivered ``events`` (non-empty): move each of their days' clocks."""
        newest: dict[int, int] = {}
        for e in events:
            t = e.epoch
            d = t // DAY_SECONDS
            if t > newest.get(d, NEG_INF):
                newest[d] = t
        for d, t in newest.items():
            clock = self.days.get(d)
            if clock is None:
                clock = self.days[d] = DayClock()
            if t > clock.max_time:
                clock.max_time = t
            clock.last_seen = wall
        self.last_seen = wall

    def forget_days_before(self, day: int) -> list[int]:
        """Drop the clocks and floors of days before ``day`` (state retention); returns them."""
        gone = [d for d in self.days if d < day] + [d for d in self.replay_floors if d < day and d not in self.days]
        for d in gone:
            self.days.pop(d, None)
            self.replay_floors.pop(d, None)
        return gone

    def position(self) -> int | None:
        """The offset the consumer reads next (or the committed one before the first read)."""
        return self.next_offset if self.next_offset is not None else self.committed


def consumer_lag(consumer: Consumer | None, topic: str, parts: dict[int, PartitionState]) -> int:
    """Messages the owned partitions still hold beyond this consumer's position."""
    if consumer is None:
        return 0
    total = 0
    for p, state in parts.items():
        try:
            _low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=2)
        except KafkaException:
            continue
        total += max(high - (state.position() or 0), 0)
    return total
