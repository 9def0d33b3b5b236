"""The event-driven "driving day complete" signal: an Airflow event trigger over the stream's day ledger.

Used as the ``AssetWatcher`` of :data:`smartcar.airflow.assets.DRIVE_EVENTS` (Airflow 3
event-driven scheduling): the triggerer runs it for as long as a DAG schedules on that asset, and
every event it fires becomes an asset event whose ``extra["payload"]`` holds ``biz_dates``, which
subject 2 reads like any other triggering event. Quietness is decided by
:func:`streaming.driving_days.quiet_days`; the stream must be caught up (a live processor, lag 0),
so a stopped processor with a backlog never makes a half-written day look complete.

Why a trigger and not a polling DAG: a DAG every few minutes would add hundreds of runs a day to
the UI to find, most days, nothing; the trigger costs one Redis read per poll in the triggerer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

POLL_S = 10.0


def _announce_due() -> dict[str, int]:
    """Quiet days (``{day: events}``) to announce now, or nothing while the stream is behind."""
    from smartcar.core.clients import redis_client
    from smartcar.settings import get_settings
    from streaming import driving_days
    from streaming.health import read_health

    settings = get_settings()
    health = read_health(settings)
    if not health["alive"] or health["lag"] > 0:
        return {}
    return driving_days.quiet_days(redis_client(settings), settings)


def _mark(days: dict[str, int]) -> None:
    from smartcar.core.clients import redis_client
    from smartcar.settings import get_settings
    from streaming import driving_days

    settings = get_settings()
    driving_days.mark_announced(redis_client(settings), settings, days)


class DrivingDayQuietTrigger(BaseEventTrigger):
    """Fires ``{"biz_dates": [...], "events": {...}}`` whenever driving days have gone quiet."""

    def __init__(self, poll_interval: float = POLL_S) -> None:
        super().__init__()
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{type(self).__module__}.{type(self).__qualname__}", {"poll_interval": self.poll_interval}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while True:
            try:
                due = await asyncio.to_thread(_announce_due)
            except Exception as exc:  # Redis briefly away: log, keep watching
                self.log.warning("driving-day ledger unreadable: %s", exc)
                due = {}
            if due:
                self.log.info("driving days quiet: %s", due)
                yield TriggerEvent({"biz_dates": sorted(due), "events": due})
                # announced only after the triggerer took the event: a crash in between announces twice
                await asyncio.to_thread(_mark, due)
            await asyncio.sleep(self.poll_interval)
