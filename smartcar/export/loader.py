"""Load one date of a mart into its target table: delete the date, insert in chunks, one transaction.

Re-running a date replaces exactly that date's rows with the same rows, so a re-run changes
nothing; a failure anywhere rolls the whole date back, so a reader never sees half a day.
The source and target counts are compared inside the transaction and the run is logged in
``smartcar_export_runs`` (what the Airflow page shows as "latest export per date").
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from smartcar.core.business_dates import BusinessDate, BusinessMonth
from smartcar.export.migrate import upgrade
from smartcar.export.schema import MONTHLY, TARGETS, export_runs, period_column
from smartcar.lake.catalog import table_spec
from smartcar.lake.reader import partition_rows
from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)
DEFAULT_CHUNK = 5000


class ExportMismatch(RuntimeError):
    """Source and target counts differ; the transaction was rolled back."""


@dataclass
class ExportResult:
    name: str
    table: str
    biz_date: str
    source_rows: int
    target_rows: int
    deleted_rows: int
    chunks: int
    seconds: float

    @property
    def reconciled(self) -> bool:
        return self.source_rows == self.target_rows

    def to_dict(self) -> dict:
        return {**asdict(self), "reconciled": self.reconciled}


def _convert(table: sa.Table, row: dict[str, object]) -> dict[str, object]:
    """Typed values for the target columns (text marts carry numbers as strings)."""
    out: dict[str, object] = {}
    for column in table.columns:
        value = row.get(column.name)
        if isinstance(value, str) and value.strip() == "":
            value = None
        if value is not None:
            if isinstance(column.type, sa.Float):
                value = float(value)
            elif isinstance(column.type, sa.Integer):
                value = int(float(value))
            elif isinstance(column.type, sa.String):
                value = str(value)
        out[column.name] = value
    return out


def export_date(
    name: str,
    date: str,
    engine: sa.Engine | None = None,
    settings: Settings | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    migrate: bool = True,
) -> ExportResult:
    """Export mart ``name`` (``symptom``, ``emergency`` or ``recommend``) for ``date`` (yyyyMM for ``recommend``).

    The entry point of the DAGs and the CLI, and ``date`` selects what is deleted: parsed here, once.
    """
    from smartcar.core.clients import export_engine

    source_table, target = TARGETS[name]
    date = BusinessMonth(date) if name in MONTHLY else BusinessDate(date)
    s = settings or get_settings()
    engine = engine or export_engine(s)
    if migrate:
        upgrade(engine)
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    rows = [_convert(target, r) for r in partition_rows(table_spec(source_table), date, s)]
    chunks = 0
    with engine.begin() as conn:
        period = period_column(target)
        deleted = conn.execute(sa.delete(target).where(period == date)).rowcount or 0
        for i in range(0, len(rows), chunk_size):
            conn.execute(sa.insert(target), rows[i : i + chunk_size])
            chunks += 1
        count = conn.execute(sa.select(sa.func.count()).select_from(target).where(period == date))
        target_rows = int(count.scalar_one())
        if target_rows != len(rows):
            raise ExportMismatch(f"{target.name} {date}: source {len(rows)} rows, target {target_rows}")
        seconds = round(time.monotonic() - t0, 3)
        conn.execute(
            sa.insert(export_runs).values(
                table_name=target.name,
                biz_date=date,
                source_rows=len(rows),
                target_rows=target_rows,
                deleted_rows=deleted,
                status="success",
                started_at=started,
                seconds=seconds,
            )
        )
    result = ExportResult(name, target.name, date, len(rows), target_rows, deleted, chunks, seconds)
    log.info("export %s", result.to_dict())
    return result


def latest_exports(engine: sa.Engine, limit: int = 30) -> list[dict[str, object]]:
    """The newest export run per (date, table), newest date first."""
    latest = (
        sa.select(export_runs.c.table_name, export_runs.c.biz_date, sa.func.max(export_runs.c.id).label("id"))
        .group_by(export_runs.c.table_name, export_runs.c.biz_date)
        .subquery()
    )
    query = (
        sa.select(export_runs)
        .join(latest, export_runs.c.id == latest.c.id)
        .order_by(export_runs.c.biz_date.desc(), export_runs.c.table_name)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
