"""What one alert-response run does with its triggering alerts: record them, then tell someone once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smartcar.alerts import incidents
from smartcar.notifications import deliver
from smartcar.settings import Settings, get_settings

CARS_NAMED = 20
"""Cars listed by name in one notification; the rest are counted."""


def triggering_alerts(events: Mapping[Any, Iterable[Any]] | None) -> list[dict[str, str]]:
    """Alert records carried by the run's triggering asset events (the watcher's payloads)."""
    alerts = []
    for asset_events in (events or {}).values():
        for event in asset_events:
            extra = getattr(event, "extra", None) or {}
            payload = extra.get("payload") if extra.get("from_trigger") else None
            if isinstance(payload, Mapping) and "id" in payload:
                alerts.append(dict(payload))
    return alerts


def respond(events: Mapping[Any, Iterable[Any]] | None, settings: Settings | None = None) -> dict[str, Any]:
    """Record the run's alerts as incidents and notify about the new ones; a rerun notifies nobody."""
    s = settings or get_settings()
    alerts = triggering_alerts(events)
    recorded = incidents.record(alerts, s)
    reached: list[str] = []
    if recorded.total_new:
        rules = ", ".join(f"{n} {rule}" for rule, n in sorted(recorded.new.items()))
        named = ", ".join(recorded.cars[:CARS_NAMED])
        more = len(recorded.cars) - CARS_NAMED
        cars = f"{named} and {more} more" if more > 0 else named
        reached = deliver(
            f"Stream alerts: {rules}",
            f"{len(recorded.cars)} car(s): {cars}",
            {"new": recorded.new, "repeated": recorded.repeated, "cars": recorded.cars},
            settings=s,
        )
    return {"alerts": len(alerts), "new": recorded.new, "repeated": recorded.repeated, "notified": reached}
