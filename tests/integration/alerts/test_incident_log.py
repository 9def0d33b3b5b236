"""The incident log in the session's PostgreSQL: one row per rule, car and day, notified once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from smartcar.airflow.alert_response import respond
from smartcar.export import incident_log as incidents
from smartcar.export.schema import alert_incidents
from smartcar.settings import Settings

pytestmark = pytest.mark.integration

DAY = "19990705"


def _alert(rule: str, car: str, second: int) -> dict[str, str]:
    start = f"{DAY}0100{second:02d}"
    return {"id": f"{rule}:{car}:{start}", "rule": rule, "car_number": car, "window_start": start,
            "window_end": f"{DAY}0100{second + 30:02d}", "value": "91.250"}  # fmt: skip


def _watcher_event(alert: dict[str, str]) -> SimpleNamespace:
    """An asset event as the triggerer stores it for a watcher: the trigger's payload inside ``extra``."""
    return SimpleNamespace(extra={"from_trigger": True, "payload": alert})


@pytest.fixture
def engine(postgres_service: Settings):
    from smartcar.core.clients import export_engine

    engine = export_engine(postgres_service)
    incidents.record([], postgres_service)  # migrates
    with engine.begin() as conn:
        conn.execute(alert_incidents.delete().where(alert_incidents.c.biz_date == DAY))
    yield engine
    engine.dispose()


def test_one_incident_per_rule_car_and_day_from_its_first_alert(engine, postgres_service: Settings) -> None:
    late, early = _alert("speeding", "A0001", 30), _alert("speeding", "A0001", 0)
    given = [late, early, early, _alert("speeding", "B0002", 0), _alert("harsh_braking", "A0001", 0)]
    recorded = incidents.record(given, postgres_service)  # the topic is at least once; order is not time
    assert recorded.new == {"speeding": 2, "harsh_braking": 1} and recorded.repeated == 2
    assert recorded.cars == ["A0001", "B0002"]

    again = incidents.record([_alert("speeding", "B0002", 30), _alert("speeding", "C0003", 30)], postgres_service)
    assert again.new == {"speeding": 1} and again.repeated == 1 and again.cars == ["C0003"]
    t = alert_incidents.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.rule, t.car_number, t.first_alert_id, t.value).where(t.biz_date == DAY)).all()
    assert len(rows) == 4 and {v for *_, v in rows} == {91.25}
    assert ("speeding", "A0001", early["id"], 91.25) in rows  # the day's first window, not the one given first
    assert incidents.cars(DAY, "speeding", postgres_service) == {"A0001", "B0002", "C0003"}


def test_a_rerun_of_the_same_events_notifies_nobody(engine, postgres_service: Settings) -> None:
    events = {"smartcar_stream_alerts": [_watcher_event(_alert("speeding", "C0003", 0)), SimpleNamespace(extra={})]}
    first = respond(events, settings=postgres_service)
    assert first["alerts"] == 1 and first["new"] == {"speeding": 1} and first["notified"] == ["log"]
    rerun = respond(events, settings=postgres_service)
    assert rerun["new"] == {} and rerun["repeated"] == 1 and rerun["notified"] == []


def test_alerts_stored_after_the_run_was_queued_are_recorded_by_it(engine, postgres_service: Settings) -> None:
    """The run's own events plus the asset's later ones (the gap Airflow leaves between queueing and run)."""
    queued, gap = _alert("speeding", "D0004", 0), _alert("speeding", "E0005", 30)
    events = {"smartcar_stream_alerts": [_watcher_event(queued)]}
    result = respond(events, [_watcher_event(queued), _watcher_event(gap)], settings=postgres_service)
    assert result["alerts"] == 3 and result["new"] == {"speeding": 2} and result["repeated"] == 1
    assert incidents.cars(DAY, "speeding", postgres_service) == {"D0004", "E0005"}
