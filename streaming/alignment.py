"""Event time across partitions: the stream's watermark, idleness, and pausing partitions that run ahead.

The stream time is the event time every active partition has reached (the min of their maxima).
A partition that delivered nothing for a while *and* has nothing left to read does not hold it
back (per-input idleness, as in Flink). librdkafka drains one partition's prefetched queue before
the next, so a backlog (or a replay) of one partition would push the stream time past the others'
open windows and make their events late: partitions far ahead are paused until the rest catch up
(watermark alignment, as in Flink).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from confluent_kafka import Consumer, KafkaException, TopicPartition

from streaming.partitions import PartitionState
from streaming.windows import NEG_INF


def stream_time(parts: Mapping[int, PartitionState], idle: Callable[[int, PartitionState], bool]) -> int | None:
    """Event time every active partition has reached; ``None`` while an active one delivered nothing."""
    active = [s.event_time for p, s in parts.items() if not idle(p, s)]
    if active:
        low = min(active)
        return None if low <= NEG_INF else low
    return max((s.event_time for s in parts.values() if s.event_time > NEG_INF), default=None)


def pause_resume(parts: Mapping[int, PartitionState], now: int | None, ahead: int) -> tuple[list[int], list[int]]:
    """Partitions to pause (more than ``ahead`` s past ``now``) and to resume (back within half of it).

    With no stream time yet (a partition with input delivered nothing so far) the others are held
    near where they began.
    """
    if now is None:
        firsts = [s.first_event_time for s in parts.values() if s.first_event_time is not None]
        if not firsts:
            return [], []
        now = min(firsts)
    pause = [p for p, s in parts.items() if not s.paused and s.event_time > now + ahead]
    resume = [p for p, s in parts.items() if s.paused and s.event_time <= now + ahead // 2]
    return pause, resume


class IdlenessProbe:
    """Silent for ``after_s`` *and* nothing left to read; asks the broker at most once a second."""

    def __init__(self, consumer: Consumer, topic: str, after_s: float) -> None:
        self.consumer = consumer
        self.topic = topic
        self.after_s = after_s

    def idle_at(self, wall: float) -> Callable[[int, PartitionState], bool]:
        return lambda p, state: self.is_idle(p, state, wall)

    def is_idle(self, p: int, state: PartitionState, wall: float) -> bool:
        if state.paused or wall - state.last_seen < self.after_s:
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
