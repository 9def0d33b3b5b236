"""The export against the embedded PostgreSQL: migrations from the original schema, re-runs, counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.sample_day import write_sample_day
from smartcar.export.loader import export_date, latest_exports
from smartcar.export.migrate import downgrade, head_revision, upgrade
from smartcar.export.schema import VERSION_TABLE, emergency_check_info, metadata, symptom_info
from smartcar.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def pg(postgres_service: Settings, tmp_path: Path):
    from smartcar.core.clients import export_engine

    settings = postgres_service.model_copy(update={"home": tmp_path / "home"})
    engine = export_engine(settings)
    with engine.begin() as conn:
        for name in [t.name for t in reversed(metadata.sorted_tables)] + [VERSION_TABLE]:  # every export table
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    yield settings, engine
    engine.dispose()


def _rows(engine: sa.Engine, table: sa.Table, date: str | None = None) -> list[tuple]:
    query = sa.select(table)
    if date:
        query = query.where(table.c.biz_date == date)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(query))


def test_original_varchar_rows_survive_the_schema_evolution(pg) -> None:
    _, engine = pg
    upgrade(engine, "0001")
    with engine.begin() as conn:  # a row as Sqoop wrote it into the book's all-varchar table
        conn.execute(
            sa.text(
                "INSERT INTO smartcar_symptom_info VALUES ('Z0100','2.5','normal','0.5','normal','2100','abnormal','20200101')"
            )
        )
    assert upgrade(engine) == head_revision()
    assert _rows(engine, symptom_info) == [("Z0100", 2.5, "normal", 0.5, "normal", 2100, "abnormal", "20200101")]
    assert downgrade(engine, "0001") == "0001"
    assert upgrade(engine) == head_revision()


def test_export_twice_same_rows_and_counts_match(pg) -> None:
    settings, engine = pg
    write_sample_day("20200322", settings)
    write_sample_day("20200323", settings)
    results = [
        export_date(m, d, engine, settings, chunk_size=2)
        for d in ("20200322", "20200323")
        for m in ("symptom", "emergency")
    ]
    assert all(r.reconciled for r in results)
    first = (_rows(engine, symptom_info), _rows(engine, emergency_check_info))
    again = [export_date(m, "20200322", engine, settings) for m in ("symptom", "emergency")]
    assert (_rows(engine, symptom_info), _rows(engine, emergency_check_info)) == first
    assert [(r.source_rows, r.target_rows, r.deleted_rows) for r in again] == [(4, 4, 4), (3, 3, 3)]
    assert len(_rows(engine, symptom_info, "20200322")) == 4 and len(_rows(engine, symptom_info, "20200323")) == 4
    latest = {(r["biz_date"], r["table_name"]): r for r in latest_exports(engine)}
    assert latest[("20200322", "smartcar_symptom_info")]["deleted_rows"] == 4
    assert latest[("20200323", "smartcar_symptom_info")]["deleted_rows"] == 0


def test_cli_exports_and_reports(pg, tmp_path: Path) -> None:
    settings, engine = pg
    write_sample_day("20200322", settings)
    env = {**__import__("os").environ, "SMARTCAR_HOME": str(settings.home)}
    run = [sys.executable, "-m", "smartcar.cli", "export"]
    out = subprocess.run([*run, "run", "--date", "20200322"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"reconciled": true' in out.stdout and out.stdout.count("\n") == 2
    status = subprocess.run([*run, "status"], capture_output=True, text=True, env=env, timeout=120)
    assert "20200322 smartcar_symptom_info" in status.stdout and "source=4" in status.stdout
    assert len(_rows(engine, symptom_info)) == 4
