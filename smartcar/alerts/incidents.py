"""The incident log: stream alerts that Airflow acted on, kept in the export database.

Redis holds an alert for a week and the alert topic for as long as its retention; the incident log is
the durable record an operations or safety team queries with SQL, next to the exported marts. Rows
are keyed by the alert id (rule, car, window start), so a replayed alert (the topic is at least
once, and the triggerer redelivers after a crash) is recorded once: recording is idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from smartcar.clients import export_engine
from smartcar.export.migrate import upgrade
from smartcar.export.schema import alert_incidents
from smartcar.settings import Settings, get_settings

CHUNK = 500


@dataclass(frozen=True)
class Recorded:
    """What one call recorded: new incidents per rule, and alerts already in the log."""

    new: dict[str, int]
    repeated: int
    cars: list[str]

    @property
    def total_new(self) -> int:
        return sum(self.new.values())


def _row(alert: Mapping[str, str], now: dt.datetime) -> dict[str, object]:
    return {
        "alert_id": alert["id"],
        "rule": alert["rule"],
        "car_number": alert["car_number"],
        "biz_date": alert["window_start"][:8],
        "window_start": alert["window_start"],
        "window_end": alert["window_end"],
        "value": float(alert["value"]),
        "recorded_at": now,
    }


def record(alerts: Iterable[Mapping[str, str]], settings: Settings | None = None) -> Recorded:
    """Insert the alerts not yet in the log (migrating the database first); repeats are counted, not written."""
    engine = export_engine(settings or get_settings())
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    given = list(alerts)
    unique = {a["id"]: _row(a, now) for a in given}
    new: dict[str, int] = {}
    cars: set[str] = set()
    ids = list(unique)
    with engine.begin() as conn:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            known = set(
                conn.scalars(sa.select(alert_incidents.c.alert_id).where(alert_incidents.c.alert_id.in_(chunk)))
            )
            rows = [unique[i] for i in chunk if i not in known]
            if rows:
                conn.execute(alert_incidents.insert(), rows)
            for row in rows:
                new[str(row["rule"])] = new.get(str(row["rule"]), 0) + 1
                cars.add(str(row["car_number"]))
    return Recorded(new=new, repeated=len(given) - sum(new.values()), cars=sorted(cars))


def count(biz_date: str, rule: str | None = None, settings: Settings | None = None) -> int:
    """Incidents of one business day (and rule)."""
    engine = export_engine(settings or get_settings())
    query = sa.select(sa.func.count()).select_from(alert_incidents).where(alert_incidents.c.biz_date == biz_date)
    if rule:
        query = query.where(alert_incidents.c.rule == rule)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(alert_incidents.name):
            return 0
        return conn.execute(query).scalar_one()
