"""Which business days the stream has written driving events for, and which of them have gone quiet.

Driving events arrive as a stream, so no file or message says "the 20200322 driving day is complete".
The driving mart (subject 2) still needs a moment to build from HBase. The stream processors
therefore keep a small ledger in Redis: per business day (``yyyyMMdd``, the first 8 characters of
the event time), how many events were written and when the last one arrived. A day is **quiet**
when nothing arrived for it for ``SMARTCAR_DRIVE_DAY_QUIET_S`` seconds while the stream is caught up
(a live processor, lag 0), and it has more events than when it was last announced. The Airflow
trigger in :mod:`smartcar.airflow.driving_day_trigger` announces quiet days as asset events; late
events for an announced day make it quiet again later, and the rebuild overwrites its partition.

The event counts are a change detector, not an audit: a replay after a crash counts again, which
only causes one more (idempotent) rebuild.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from smartcar.settings import Settings

PREFIX = "smartcar:drive-days:"


def _keys(group: str) -> tuple[str, str, str]:
    return f"{PREFIX}events:{group}", f"{PREFIX}seen:{group}", f"{PREFIX}announced:{group}"


class DayActivity:
    """Per-day counts gathered by one processor between two flushes (kept in memory, flushed ~1/s)."""

    def __init__(self) -> None:
        self._events: dict[str, int] = {}

    def add(self, dates: Iterable[str], count: int) -> None:
        """Attribute ``count`` events to the business days of ``dates`` (event-time strings).

        A batch is read in offset order, so its first and last events bound its days; passing just
        those two keeps this off the per-event path.
        """
        days = {d[:8] for d in dates}
        for day in days:
            self._events[day] = self._events.get(day, 0) + max(count // len(days), 1)

    def flush(self, client: Any, settings: Settings, now: float | None = None) -> None:
        """Add the gathered counts to the Redis ledger and stamp the days as seen now."""
        if not self._events:
            return
        events_key, seen_key, _ = _keys(settings.kafka_consumer_group)
        stamp = f"{now if now is not None else time.time():.3f}"
        pipe = client.pipeline(transaction=False)
        for day, n in self._events.items():
            pipe.hincrby(events_key, day, n)
            pipe.hset(seen_key, day, stamp)
        pipe.execute()
        self._events.clear()


def quiet_days(client: Any, settings: Settings, now: float | None = None) -> dict[str, int]:
    """Days not announced at their current count whose last event is older than the quiet period."""
    events_key, seen_key, announced_key = _keys(settings.kafka_consumer_group)
    now = time.time() if now is None else now
    events = client.hgetall(events_key)
    seen = client.hgetall(seen_key)
    announced = client.hgetall(announced_key)
    out = {}
    for day, count in events.items():
        n = int(count)
        if n > int(announced.get(day, 0)) and now - float(seen.get(day, now)) >= settings.drive_day_quiet_s:
            out[day] = n
    return dict(sorted(out.items()))


def mark_announced(client: Any, settings: Settings, days: dict[str, int]) -> None:
    """Remember the counts at which ``days`` were announced (after the asset event was handed over)."""
    if days:
        client.hset(_keys(settings.kafka_consumer_group)[2], mapping={d: str(n) for d, n in days.items()})


def ledger(client: Any, settings: Settings) -> list[dict[str, Any]]:
    """Every day in the ledger with its counts, for the CLI and the stream page."""
    events_key, seen_key, announced_key = _keys(settings.kafka_consumer_group)
    events, seen, announced = client.hgetall(events_key), client.hgetall(seen_key), client.hgetall(announced_key)
    return [
        {"day": d, "events": int(n), "last_event_at": float(seen.get(d, 0)), "announced": int(announced.get(d, 0))}
        for d, n in sorted(events.items())
    ]
