"""The commit protocol: which offset each partition may commit, and the floor to persist first.

A commit may never pass an event an open event-time window still needs, or a crash would lose that
window's input. The detectors report their *floor* (the oldest event time any open window holds);
each partition commits up to the first offset of that floor's bucket and stores the floor in Redis
*before* the commit, so a restarted owner knows which windows were already reported and does not
window the replayed events below it again. The floor never goes below the one a partition was
replayed with. Without any event-time rule nothing needs replaying: everything read is committable.
"""

from __future__ import annotations

from collections.abc import Mapping

from streaming.partitions import BUCKET_SHIFT, PartitionState
from streaming.windows import NEG_INF, POS_INF


def commit_plan(parts: Mapping[int, PartitionState], engine_floor: int) -> tuple[dict[int, int], dict[int, int]]:
    """``(offsets, floors)``: the partitions whose committable offset changed, and their floors.

    Prunes each partition's buckets below its floor (they can never bound a commit again).
    """
    if engine_floor >= POS_INF:
        engine_floor = max((s.event_time for s in parts.values()), default=NEG_INF) + 1
    offsets: dict[int, int] = {}
    floors: dict[int, int] = {}
    for p, state in parts.items():
        if state.next_offset is None:
            continue
        floor = max(engine_floor, state.replay_floor)
        buckets = state.buckets
        if floor > NEG_INF:
            cut = floor >> BUCKET_SHIFT
            for b in [b for b in buckets if b < cut]:
                del buckets[b]
        offset = min(buckets.values(), default=state.next_offset)
        if state.committed != offset:
            offsets[p] = offset
            if floor > NEG_INF:
                floors[p] = floor
    return offsets, floors
