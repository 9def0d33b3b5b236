"""The analysis notebooks run top to bottom against the session's HiveServer2, so they never rot.

A sample day is written to the warehouse files and its partitions registered; the notebook's summary
line is then compared with the same figures computed from the files with pandas.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nbclient import NotebookClient

from simulator.sample_day import write_sample_day
from smartcar.core.clients import hive_dbapi_connection
from smartcar.lake.catalog import table_spec
from smartcar.lake.partition_files import data_files
from smartcar.settings import Settings
from smartcar.warehouse import hql
from smartcar.warehouse.connection import refresh

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[3]
DATE = "20200311"  # a date no other test of the session writes
MARTS = ("managed_smartcar_drive_info", "managed_smartcar_symptom_info", "managed_smartcar_emergency_check_info")


def _files(table: str, settings: Settings) -> pd.DataFrame:
    files = data_files(table_spec(table).partition_path(DATE, settings))
    return pd.concat([pd.read_parquet(f) for f in files])


def _strings(path: Path) -> dict[str, list[str | None]]:
    frame = pd.read_parquet(path)
    return {c: [None if pd.isna(v) else str(v) for v in frame[c]] for c in frame.columns}


@pytest.fixture(scope="module")
def sample_day(hive_service: Settings) -> Settings:
    conn = hive_dbapi_connection(hive_service)
    try:
        hql.create_tables(conn, hive_service)  # before the files: Spark refuses a managed table over a folder
        write_sample_day(DATE, hive_service)
        for table in MARTS:  # the marts' DDL declares every column a string, as Hive built them
            for path in data_files(table_spec(table).partition_path(DATE, hive_service)):
                pq.write_table(pa.table({c: pa.array(v, pa.string()) for c, v in _strings(path).items()}), path)
        for table in MARTS:
            hql.execute(conn, [f"ALTER TABLE {table} ADD IF NOT EXISTS PARTITION (biz_date = '{DATE}')"])
            refresh(conn, table)
    finally:
        conn.close()
    return hive_service


def _execute(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the environment: the SMARTCAR_* endpoints and the parameters
    try:
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def _stdout(notebook: nbformat.NotebookNode) -> str:
    return "".join(
        out.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )


def test_analysis_notebook_matches_the_warehouse(sample_day: Settings) -> None:
    notebook = _execute(
        REPO / "notebooks" / "smartcar_analysis.ipynb",
        {"SMARTCAR_NOTEBOOK_BIZ_DATE": DATE, "SMARTCAR_NOTEBOOK_MIN_AVG_SPEED": "61"},
    )
    (line,) = [s for s in _stdout(notebook).splitlines() if s.startswith("SUMMARY ")]
    summary = json.loads(line.removeprefix("SUMMARY "))

    drive = _files("managed_smartcar_drive_info", sample_day)
    drive["speed"] = drive["speed"].astype(int)
    by_area = drive.groupby("area_number")["speed"].mean().round(3)
    assert summary["avg_speed_by_area"] == by_area.to_dict()
    assert summary["areas_at_or_above_min"] == sorted(by_area[by_area >= 61].index)
    assert 0 < len(summary["areas_at_or_above_min"]) < len(by_area), "the sample straddles the threshold"
    per_car = drive.groupby(["area_number", "car_number"])["speed"].mean().astype(int).reset_index()
    best = per_car[per_car["speed"] == per_car.groupby("area_number")["speed"].transform("max")]
    assert summary["fastest_car_per_area"] == best.groupby("area_number")["car_number"].min().to_dict()
    assert summary["symptom_cars"] == sorted(_files("managed_smartcar_symptom_info", sample_day)["car_number"])
    emergency = _files("managed_smartcar_emergency_check_info", sample_day)
    assert summary["emergency_checks"] == {c: int(emergency[c].notna().sum()) for c in emergency.columns[1:]}
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1, "the chart of average speed by area is drawn"
