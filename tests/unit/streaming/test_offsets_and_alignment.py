"""The commit plan and partition alignment on hand-built partition states (no broker needed)."""

from __future__ import annotations

from streaming.alignment import pause_resume, stream_time
from streaming.offsets import commit_plan
from streaming.partitions import BUCKET_SHIFT, PartitionState
from streaming.windows import NEG_INF, POS_INF


def _state(events: list[tuple[int, int]], **kw: object) -> PartitionState:
    state = PartitionState(**kw)  # type: ignore[arg-type]
    for offset, epoch in events:
        state.record(offset, epoch)
        state.next_offset = offset + 1
        state.advance(epoch, epoch, 0.0)
    return state


def test_commit_stops_at_the_first_offset_an_open_window_needs() -> None:
    # offsets 0..99 carry event times 1000..1099; an open window still needs event time 1050
    part = _state([(i, 1000 + i) for i in range(100)])
    offsets, floors = commit_plan({0: part}, engine_floor=1050)
    bucket_start = (1050 >> BUCKET_SHIFT) << BUCKET_SHIFT
    assert offsets == {0: bucket_start - 1000}
    assert floors == {0: 1050}
    assert min(part.buckets) == 1050 >> BUCKET_SHIFT  # older buckets pruned


def test_without_event_time_rules_all_but_the_newest_bucket_is_committable() -> None:
    part = _state([(i, 1000 + i) for i in range(10)])
    offsets, floors = commit_plan({0: part}, engine_floor=POS_INF)
    # the floor is just past the newest event; bucket granularity replays at most its 16 s bucket
    assert floors == {0: 1010}
    assert offsets == {0: (1010 >> BUCKET_SHIFT << BUCKET_SHIFT) - 1000}


def test_floor_never_goes_below_the_replay_floor_and_unchanged_offsets_are_skipped() -> None:
    part = _state([(i, 1000 + i) for i in range(64)], replay_floor=1040)
    offsets, floors = commit_plan({0: part}, engine_floor=1001)
    assert floors == {0: 1040}
    part.committed = offsets[0]
    assert commit_plan({0: part}, engine_floor=1001) == ({}, {})
    assert commit_plan({1: PartitionState()}, engine_floor=1001) == ({}, {})  # nothing read yet


def test_stream_time_is_the_slowest_active_partition_and_idle_ones_do_not_hold_it() -> None:
    parts = {0: _state([(0, 500)]), 1: _state([(0, 300)]), 2: PartitionState()}
    assert stream_time(parts, lambda p, s: False) is None  # partition 2 delivered nothing yet
    assert stream_time(parts, lambda p, s: p == 2) == 300
    assert stream_time(parts, lambda p, s: True) == 500
    assert stream_time({}, lambda p, s: False) is None
    assert NEG_INF < 0


def test_partitions_far_ahead_pause_and_resume_once_the_others_catch_up() -> None:
    parts = {0: _state([(0, 1000)]), 1: _state([(0, 1200)])}
    assert pause_resume(parts, 1000, ahead=60) == ([1], [])
    parts[1].paused = True
    assert pause_resume(parts, 1100, ahead=60) == ([], [])  # 1200 > 1100 + 30: still far ahead
    assert pause_resume(parts, 1180, ahead=60) == ([], [1])
    assert pause_resume({0: PartitionState()}, None, ahead=60) == ([], [])
