"""The "driving day complete" signal: processor ledger in Redis, and the Airflow event trigger over it."""

from __future__ import annotations

import asyncio
import time

import pytest

from simulator.scripted import produce, scripted_lines
from smartcar.airflow.driving_day_trigger import DrivingDayQuietTrigger
from smartcar.core.clients import redis_client
from smartcar.settings import get_settings
from streaming import driving_days

pytestmark = pytest.mark.integration


def _events(trigger: DrivingDayQuietTrigger, until: float, stop_after_first_plus: float | None = None) -> list[dict]:
    """Payloads the trigger fires within ``until`` seconds, run the way the triggerer runs it.

    With ``stop_after_first_plus`` the watch ends that many seconds after the first event (so the
    trigger got past its ``yield`` and marked the days announced, as in the triggerer).
    """

    async def watch() -> list[dict]:
        fired: list[dict] = []
        gen = trigger.run()
        deadline = time.monotonic() + until
        try:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    event = await asyncio.wait_for(gen.__anext__(), left)
                except TimeoutError:
                    break
                fired.append(event.payload)
                if stop_after_first_plus is not None:
                    deadline = min(deadline, time.monotonic() + stop_after_first_plus)
        finally:
            await gen.aclose()
        return fired

    return asyncio.run(watch())


def test_ledger_days_go_quiet_and_late_events_reannounce(redis_service) -> None:
    s = redis_service.model_copy(update={"kafka_consumer_group": f"days-{time.time_ns()}", "drive_day_quiet_s": 30})
    r = redis_client(s)
    activity = driving_days.DayActivity()
    activity.add(("20200322235950", "20200323000005"), 10)  # a batch across midnight
    activity.flush(r, s, now=1000.0)
    assert driving_days.quiet_days(r, s, now=1010.0) == {}  # still arriving
    assert driving_days.quiet_days(r, s, now=1030.0) == {"20200322": 5, "20200323": 5}
    driving_days.mark_announced(r, s, {"20200322": 5, "20200323": 5})
    assert driving_days.quiet_days(r, s, now=2000.0) == {}  # announced at its count: not again
    activity.add(("20200322120000", "20200322120001"), 3)  # late events for an announced day
    activity.flush(r, s, now=2000.0)
    assert driving_days.quiet_days(r, s, now=2029.0) == {}
    assert driving_days.quiet_days(r, s, now=2030.0) == {"20200322": 8}
    assert [d["day"] for d in driving_days.ledger(r, s)] == ["20200322", "20200323"]


def test_trigger_announces_a_streamed_day_once_caught_up(
    stream_settings, child_env, run_processor, wait_for, monkeypatch
) -> None:
    s = stream_settings.model_copy(update={"drive_day_quiet_s": 2.0})
    for key, value in {**child_env, "SMARTCAR_DRIVE_DAY_QUIET_S": "2"}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    trigger = DrivingDayQuietTrigger(poll_interval=0.5)
    assert _events(trigger, until=3) == []  # nothing streamed: nothing to announce

    lines = list(scripted_lines(["P0001", "P0002"], "20200322101500", 60, lambda _c, _t: 60))
    produce(lines, s, partitions=2)
    run_processor(s, batch_size=50)
    r = redis_client(s)
    wait_for(lambda: driving_days.ledger(r, s) != [], timeout=60, what="the day in the ledger")

    fired = _events(trigger, until=60, stop_after_first_plus=4)
    assert fired == [{"biz_dates": ["20200322"], "events": {"20200322": len(lines)}}]  # once, with every event
    assert _events(trigger, until=3) == []  # announced: not again until new events arrive
    get_settings.cache_clear()
