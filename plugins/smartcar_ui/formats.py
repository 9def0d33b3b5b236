"""Small display conversions shared by the pages."""

from __future__ import annotations

import datetime as dt

from smartcar.core.business_dates import BusinessDate

PREFIX = "/smartcar"


def today() -> BusinessDate:
    """Today in UTC, the stream's clock."""
    return BusinessDate.utc_today()


def from_epoch(value: object) -> object:
    """Epoch seconds (as Redis keeps them) -> UTC datetime for display; anything else unchanged."""
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC).replace(tzinfo=None)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def minute_labels(minutes: list[int]) -> list[str]:
    return [dt.datetime.fromtimestamp(m, dt.UTC).strftime("%H:%M") for m in minutes]


def run_href(dag_id: str, run_id: str) -> str:
    """The Airflow UI's page of one DAG run."""
    from urllib.parse import quote

    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
