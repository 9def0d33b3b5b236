"""What the processor knows about each partition it owns, as one object per partition.

Everything here is dropped when a partition is revoked: the next owner rebuilds it by replay from
the committed offsets (see :mod:`streaming.offsets`). Offsets are remembered per 16-second bucket
of event time (the first offset that carried an event of that bucket), which is what lets a commit
stop exactly at the oldest event an open window may still need, with bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, TopicPartition

from streaming.windows import NEG_INF

BUCKET_SHIFT = 4
"""Offsets are tracked per 16-second bucket of event time and partition (bounded, cheap)."""


@dataclass
class PartitionState:
    replay_floor: int = NEG_INF
    """Event time below which this partition's windows were already reported (stored in Redis)."""
    last_seen: float = 0.0
    """Monotonic time of the last batch with events (or of the assignment): the idleness clock."""
    buckets: dict[int, int] = field(default_factory=dict)
    """Event-time bucket -> first offset seen carrying it (pruned below the commit floor)."""
    next_offset: int | None = None
    committed: int | None = None
    event_time: int = NEG_INF
    """Highest event time delivered so far."""
    first_event_time: int | None = None
    paused: bool = False
    idle_checked: tuple[float, bool] = (0.0, False)
    """(when, result) of the last broker round trip asking whether anything is left to read."""

    def record(self, offset: int, epoch: int) -> None:
        """Note one valid event (the offset's bucket keeps its first offset)."""
        self.buckets.setdefault(epoch >> BUCKET_SHIFT, offset)

    def advance(self, low: int, high: int, wall: float) -> None:
        """A batch delivered events with event times ``low..high``."""
        if self.first_event_time is None:
            self.first_event_time = low
        if high > self.event_time:
            self.event_time = high
        self.last_seen = wall

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
