"""The commit plan and per-day watermarks on hand-built partition states (no broker needed)."""

from __future__ import annotations

from typing import NamedTuple

from streaming.offsets import SavedFloors, commit_plan
from streaming.partitions import BUCKET_SHIFT, PartitionState
from streaming.sinks.redis_sink import decode_floors, encode_floors
from streaming.watermarks import day_marks
from streaming.windows import DAY_SECONDS

DAY = 18_000  # a UTC day number (2019-04-14); DAY * DAY_SECONDS is its midnight
MIDNIGHT = DAY * DAY_SECONDS


class _Event(NamedTuple):
    epoch: int


def _state(events: list[tuple[int, int]], wall: float = 0.0, **kw: object) -> PartitionState:
    state = PartitionState(**kw)  # type: ignore[arg-type]
    for offset, epoch in events:
        state.record(offset, epoch)
        state.next_offset = offset + 1
        state.advance([_Event(epoch)], wall)  # type: ignore[list-item]
    return state


def test_commit_stops_at_the_first_offset_an_open_window_needs() -> None:
    # offsets 0..99 carry event times 1000..1099 after midnight; an open window still needs 1050
    part = _state([(i, MIDNIGHT + 1000 + i) for i in range(100)])
    offsets, floors = commit_plan({0: part}, {0: {DAY: MIDNIGHT + 1050}})
    bucket_start = ((MIDNIGHT + 1050) >> BUCKET_SHIFT) << BUCKET_SHIFT
    assert offsets == {0: bucket_start - MIDNIGHT - 1000}
    assert floors == {0: SavedFloors(100, {DAY: MIDNIGHT + 1050})}
    assert min(part.buckets) == (MIDNIGHT + 1050) >> BUCKET_SHIFT  # older buckets pruned


def test_an_older_day_with_an_open_window_holds_the_commit_and_keeps_its_own_floor() -> None:
    """A past day streamed after a newer one: its open window bounds the commit, not the newer day."""
    newer = [(i, MIDNIGHT + DAY_SECONDS + i) for i in range(50)]  # day + 1 first
    older = [(50 + i, MIDNIGHT + 600 + i) for i in range(50)]  # then the past day
    part = _state(newer + older)
    floors = {DAY + 1: MIDNIGHT + DAY_SECONDS + 100, DAY: MIDNIGHT + 630}  # the newer day is all closed
    offsets, saved = commit_plan({0: part}, {0: floors})
    assert offsets == {0: 50 + 16 * ((MIDNIGHT + 630) // 16) - MIDNIGHT - 600}
    assert saved[0].days == floors


def test_days_no_rule_holds_are_committable() -> None:
    part = _state([(i, MIDNIGHT + 1000 + i) for i in range(10)])
    assert commit_plan({0: part}, {0: {}}) == ({0: 10}, {0: SavedFloors(10, {})})


def test_floor_never_goes_below_the_replay_floor_and_unchanged_offsets_are_skipped() -> None:
    part = _state([(i, MIDNIGHT + 1000 + i) for i in range(64)], replay_floors={DAY: MIDNIGHT + 1040, DAY - 3: 5})
    offsets, floors = commit_plan({0: part}, {0: {DAY: MIDNIGHT + 1001}})
    assert floors[0].days == {DAY: MIDNIGHT + 1040, DAY - 3: 5}  # a restored day without events is kept
    part.committed = offsets[0]
    assert commit_plan({0: part}, {0: {DAY: MIDNIGHT + 1001}}) == ({}, {})
    assert commit_plan({1: PartitionState()}, {}) == ({}, {})  # nothing read yet


def test_floors_round_trip_through_redis_text_and_the_old_single_floor_is_read() -> None:
    saved = SavedFloors(1234, {DAY: MIDNIGHT + 30, DAY + 1: MIDNIGHT + DAY_SECONDS})
    assert decode_floors(encode_floors(saved)) == saved
    assert decode_floors(str(MIDNIGHT + 90)) == SavedFloors(0, {DAY: MIDNIGHT + 90})


def test_each_day_has_its_own_mark_and_a_newer_day_does_not_move_an_older_one() -> None:
    part = _state([(0, MIDNIGHT + DAY_SECONDS + 500), (1, MIDNIGHT + 100), (2, MIDNIGHT + 130)], wall=10.0)
    marks = day_marks({0: part}, lambda p, s: False, wall=11.0, idle_after_s=5)
    assert marks == {0: {DAY + 1: MIDNIGHT + DAY_SECONDS + 500, DAY: MIDNIGHT + 130}}


def test_a_silent_day_is_pushed_on_by_wall_time_and_an_idle_partition_follows_the_others() -> None:
    p0 = _state([(0, MIDNIGHT + 100)], wall=0.0)
    p1 = _state([(0, MIDNIGHT + 900)], wall=20.0)
    p1.advance([_Event(MIDNIGHT + DAY_SECONDS + 7)], 25.0)  # p1 also carries the next day
    marks = day_marks({0: p0, 1: p1}, lambda p, s: False, wall=25.0, idle_after_s=10)
    assert marks[0] == {DAY: MIDNIGHT + 100 + 15}  # silent 25 s: 15 s beyond the idleness
    assert marks[1] == {DAY: MIDNIGHT + 900, DAY + 1: MIDNIGHT + DAY_SECONDS + 7}
    idle0 = day_marks({0: p0, 1: p1}, lambda p, s: p == 0, wall=25.0, idle_after_s=10)
    assert idle0[0] == {DAY: MIDNIGHT + 900 + 15}  # follows day DAY only: it never saw DAY + 1
    assert day_marks({0: PartitionState()}, lambda p, s: True, 0.0, 10) == {}
