"""Event time per partition and day: the marks each day's windows close by, and per-input idleness.

A partition's windows hold only its own cars (producers key by car), so each partition closes its
windows with its own clocks, one per day (:class:`~streaming.partitions.DayClock`): a past day
streamed after newer ones, two days interleaved, or today's live traffic beside a replay each move
only their own day's mark, and no partition waits for another. Two kinds of idleness, as in Flink:

* a **day** that delivered nothing in a partition for ``idle_after_s`` has its mark pushed on by
  the wall time that passes beyond that, so its last windows close (the end of a replayed day,
  live traffic at night);
* a **partition** that is silent and has nothing left to read follows, for the days it has seen,
  the newest mark any partition has for that day (a drained partition does not keep its last
  windows open while the others' event time has moved on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from confluent_kafka import Consumer, KafkaException, TopicPartition

from streaming.partitions import PartitionState
from streaming.windows import NEG_INF


def day_marks(
    parts: Mapping[int, PartitionState],
    idle: Callable[[int, PartitionState], bool],
    wall: float,
    idle_after_s: float,
) -> dict[int, dict[int, int]]:
    """``{partition: {day: event time reached}}`` (before each rule's grace) at monotonic time ``wall``."""
    newest: dict[int, int] = {}
    for state in parts.values():
        for d, clock in state.days.items():
            if clock.max_time > newest.get(d, NEG_INF):
                newest[d] = clock.max_time
    out: dict[int, dict[int, int]] = {}
    for p, state in parts.items():
        if not state.days:
            continue
        follows = idle(p, state)
        marks: dict[int, int] = {}
        for d, clock in state.days.items():
            mark = newest[d] if follows else clock.max_time
            silent = wall - clock.last_seen
            if silent > idle_after_s:
                mark += int(silent - idle_after_s)
            marks[d] = mark
        out[p] = marks
    return out


class IdlenessProbe:
    """Silent for ``after_s`` *and* nothing left to read; asks the broker at most once a second."""

    def __init__(self, consumer: Consumer, topic: str, after_s: float) -> None:
        self.consumer = consumer
        self.topic = topic
        self.after_s = after_s

    def idle_at(self, wall: float) -> Callable[[int, PartitionState], bool]:
        return lambda p, state: self.is_idle(p, state, wall)

    def is_idle(self, p: int, state: PartitionState, wall: float) -> bool:
        if wall - state.last_seen < self.after_s:
            return False
        checked, idle = state.idle_checked
        if wall - checked < 1.0:
            return idle
        try:
            _low, high = self.consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=2)
            position = state.position()
            idle = high <= 0 or (position is not None and position >= high)
        except KafkaException:
            idle = False
        state.idle_checked = (wall, idle)
        return idle
