"""The incident log: which car broke which rule on which day, as Airflow acted on it, in the export database.

Redis holds an alert for a week and the alert topic for as long as its retention; the incident log is
the durable record an operations or safety team queries with SQL, next to the exported marts. One
row per rule, car and business day, holding that day's first alert: what a person follows up, where
the stream's 30-second windows would give thousands of rows a day. Recording is idempotent: a
replayed alert, a car's later alert of the same day or a re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from smartcar.core.clients import export_engine
from smartcar.export.migrate import upgrade
from smartcar.export.schema import alert_incidents
from smartcar.settings import Settings

Key = tuple[str, str, str]
"""(rule, car_number, biz_date)"""


@dataclass(frozen=True)
class Recorded:
    """What one call recorded: new incidents per rule and their cars, and alerts whose incident existed."""

    new: dict[str, int]
    repeated: int
    cars: list[str]

    @property
    def total_new(self) -> int:
        return sum(self.new.values())


def incident_key(alert: Mapping[str, str]) -> Key:
    return alert["rule"], alert["car_number"], alert["window_start"][:8]


def _row(alert: Mapping[str, str], now: dt.datetime) -> dict[str, object]:
    rule, car, day = incident_key(alert)
    return {
        "rule": rule,
        "car_number": car,
        "biz_date": day,
        "first_alert_id": alert["id"],
        "window_start": alert["window_start"],
        "window_end": alert["window_end"],
        "value": float(alert["value"]),
        "recorded_at": now,
    }


def _known(conn: sa.Connection, keys: Iterable[Key]) -> set[Key]:
    """Keys already in the log, looked up per business day (one query a day the batch touches)."""
    by_day: dict[str, set[Key]] = {}
    for key in keys:
        by_day.setdefault(key[2], set()).add(key)
    t = alert_incidents.c
    known: set[Key] = set()
    for day, wanted in by_day.items():
        rows = conn.execute(sa.select(t.rule, t.car_number, t.biz_date).where(t.biz_date == day))
        known |= {tuple(r) for r in rows} & wanted  # type: ignore[arg-type]
    return known


def record(alerts: Iterable[Mapping[str, str]], settings: Settings) -> Recorded:
    """Insert an incident per (rule, car, day) not yet in the log, from its earliest alert given here."""
    engine = export_engine(settings)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    given = sorted(alerts, key=lambda a: a["window_start"])
    first: dict[Key, dict[str, object]] = {}
    for alert in given:
        key = incident_key(alert)
        if key not in first:
            first[key] = _row(alert, now)
    with engine.begin() as conn:
        known = _known(conn, first)
        fresh = [row for key, row in first.items() if key not in known]
        if fresh:
            conn.execute(alert_incidents.insert(), fresh)
    new = dict(Counter(str(row["rule"]) for row in fresh))
    return Recorded(new=new, repeated=len(given) - len(fresh), cars=sorted({str(r["car_number"]) for r in fresh}))


def cars(biz_date: str, rule: str, settings: Settings) -> set[str]:
    """Cars with an incident of ``rule`` on one business day."""
    engine = export_engine(settings)
    t = alert_incidents.c
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(alert_incidents.name):
            return set()
        return set(conn.scalars(sa.select(t.car_number).where(t.biz_date == biz_date, t.rule == rule)))
