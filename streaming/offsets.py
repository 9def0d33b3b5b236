"""The commit protocol: which offset each partition may commit, and the floors to persist first.

A commit may never pass an event an open event-time window still needs, or a crash would lose that
window's input. The detectors report, per day, their *floor* (the oldest event time any open
window of that day holds); each partition commits up to the first offset of the oldest bucket some
day's floor still needs, and stores the floors per day in Redis *before* the commit, together with
the offset it had read up to. A restarted owner then knows, per day, which windows were already
reported, and which of the offsets it reads are a replay (below that offset) rather than new
events with old timestamps. A day's floor never goes below the one the partition was replayed
with. A day no event-time rule holds needs nothing replayed: its events are committable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from streaming.partitions import BUCKET_SHIFT, PartitionState
from streaming.windows import DAY_SECONDS, NEG_INF, POS_INF


@dataclass(frozen=True)
class SavedFloors:
    """What a partition's owner persists before a commit: read-up-to offset and per-day floors."""

    end: int
    days: dict[int, int]


def commit_plan(
    parts: Mapping[int, PartitionState], engine_floors: Mapping[int, Mapping[int, int]]
) -> tuple[dict[int, int], dict[int, SavedFloors]]:
    """``(offsets, floors)``: the partitions whose committable offset changed, and what to persist first.

    ``engine_floors`` is ``{partition: {day: floor}}`` from the detectors. Prunes each partition's
    buckets below their day's floor (they can never bound a commit again).
    """
    offsets: dict[int, int] = {}
    floors: dict[int, SavedFloors] = {}
    for p, state in parts.items():
        if state.next_offset is None:
            continue
        days = dict(state.replay_floors)
        for d, f in engine_floors.get(p, {}).items():
            if f < POS_INF:
                days[d] = max(f, days.get(d, NEG_INF))
        buckets = state.buckets
        shift = BUCKET_SHIFT
        for b in [b for b in buckets if b < days.get((b << shift) // DAY_SECONDS, POS_INF) >> shift]:
            del buckets[b]
        offset = min(buckets.values(), default=state.next_offset)
        if state.committed != offset:
            offsets[p] = offset
            floors[p] = SavedFloors(state.next_offset, {d: f for d, f in days.items() if f > NEG_INF})
    return offsets, floors
