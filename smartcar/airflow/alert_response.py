"""What one alert-response run does with its alerts: record them, then tell someone once.

A run takes its triggering asset events *and* the asset's events stored since the first of them.
The second set is needed because of how Airflow 3.3 queues asset-triggered runs: the queue row of a
DAG keeps the time of the first event that queued it, the run consumes events up to that time, and
an event stored after it but before the run is created neither joins that run nor queues another
(the row already exists and is deleted with the run). Left alone, the last alerts of a burst would
wait for the next alert, which may come a day later; read through ``inlet_events`` they are
recorded by the run that is already going. Recording is idempotent, so events seen twice cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smartcar.airflow.notifications import deliver
from smartcar.airflow.run_dates import event_payload
from smartcar.export import incident_log as incidents
from smartcar.settings import Settings

CARS_NAMED = 20
"""Cars listed by name in one notification; the rest are counted."""


def first_timestamp(events: Mapping[Any, Iterable[Any]] | None) -> Any:
    """The earliest timestamp of the run's triggering events (``None`` for a run without any)."""
    stamps = [event.timestamp for asset_events in (events or {}).values() for event in asset_events]
    return min(stamps, default=None)


def triggering_alerts(events: Mapping[Any, Iterable[Any]] | None) -> list[dict[str, str]]:
    """Alert records carried by asset events (the watcher's payloads), by asset."""
    alerts = []
    for asset_events in (events or {}).values():
        for event in asset_events:
            payload = event_payload(event)
            if "id" in payload:
                alerts.append(dict(payload))
    return alerts


def respond(
    events: Mapping[Any, Iterable[Any]] | None,
    later: Iterable[Any] = (),
    *,
    settings: Settings,
) -> dict[str, Any]:
    """Record the alerts of ``events`` (triggering) and ``later`` (stored since) as incidents; notify once.

    A rerun, or an alert already recorded by another run, notifies nobody.
    """
    alerts = triggering_alerts(events) + triggering_alerts({"later": later})
    recorded = incidents.record(alerts, settings)
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
            settings=settings,
        )
    return {"alerts": len(alerts), "new": recorded.new, "repeated": recorded.repeated, "notified": reached}
