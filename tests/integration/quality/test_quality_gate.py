"""A bad batch fails validation, blocks the export and shows in the report; a clean batch exports.

Runs the real export DAG with ``dag.test()`` (Great Expectations on the partition files, real PostgreSQL target) on hand-made
warehouse partitions written by :mod:`simulator.sample_day`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.sample_day import write_sample_day
from smartcar.quality import store
from smartcar.quality.runner import docs_site_dir
from smartcar.settings import get_settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
CLEAN, BAD = "20200322", "20200323"


def _load_export_dag():
    spec = importlib.util.spec_from_file_location("_test_smartcar_export", REPO / "dags" / "smartcar_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}


@pytest.fixture(scope="module")
def runs(private_warehouse, airflow_home, postgres_service):
    from smartcar.core.clients import export_engine

    write_sample_day(CLEAN)
    write_sample_day(BAD, defects=("tire_out_of_range", "unknown_engine", "duplicate_key"))
    dag = _load_export_dag()
    out = {}
    for day in (CLEAN, BAD):
        logical = dt.datetime.strptime(day, "%Y%m%d").replace(tzinfo=dt.UTC)
        out[day] = dag.test(logical_date=logical, run_conf={"working_day": day})
    return out, export_engine(get_settings())


def test_clean_batch_passes_and_exports(runs) -> None:
    dag_runs, engine = runs
    assert _states(dag_runs[CLEAN]) == {
        "working_days": "success",
        "validate_marts": "success",
        "export_marts": "success",
    }
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM smartcar_symptom_info WHERE biz_date = :d"), {"d": CLEAN})
        assert count.scalar_one() == 4
    for table in ("managed_smartcar_status_info", "managed_smartcar_symptom_info"):
        assert store.latest(table, CLEAN).status == "passed"


def test_bad_batch_fails_validation_and_blocks_export(runs) -> None:
    dag_runs, engine = runs
    states = _states(dag_runs[BAD])
    assert states["validate_marts"] == "failed"
    assert states["export_marts"] == "upstream_failed"
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM smartcar_symptom_info WHERE biz_date = :d"), {"d": BAD})
        assert count.scalar_one() == 0


def test_bad_batch_appears_in_report_and_data_docs(runs) -> None:
    report = store.latest("managed_smartcar_status_info", BAD)
    assert report is not None and report.status == "failed"
    failed = {(f.expectation, f.column) for f in report.critical}
    assert ("expect_column_values_to_be_between", "tire_fl") in failed
    assert ("expect_column_values_to_be_in_set", "engine") in failed
    assert ("expect_compound_columns_to_be_unique", "car_number,reg_date") in failed
    tire = next(f for f in report.critical if f.column == "tire_fl")
    assert tire.unexpected_count == 1 and "150" in tire.sample
    page = docs_site_dir() / report.docs_page
    html = page.read_text(encoding="utf-8")
    assert "tire_fl" in html and "150" in html
    assert "static/vendor/css/bootstrap.min.css" in html and "cdn.jsdelivr.net" not in html
    saved = json.loads(
        sorted((store.results_dir() / "managed_smartcar_status_info" / BAD).glob("*.json"))[-1].read_text()
    )
    assert saved["status"] == "failed"
    assert store.index()[BAD]["managed_smartcar_status_info"].status == "failed"
