"""The overview's matrix: which business dates each DAG run covered, and the newest run per cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from smartcar_ui.pipeline_matrix import QUALITY, STAGES, Cell, build, dates_of

BY_NAME = {s.name: s for s in STAGES}


@dataclass
class FakeRun:
    """A DAG run as the metadata database describes it (plain values: the module under test is pure)."""

    run_id: str
    state: str = "success"
    dag_id: str = "d"
    logical_date: dt.datetime | None = None
    conf: dict[str, Any] = field(default_factory=dict)
    event_extras: list[dict[str, Any]] = field(default_factory=list)
    xcoms: dict[str, Any] = field(default_factory=dict)
    waiting: bool = False


def test_dates_come_from_the_dates_task_then_params_events_and_logical_date() -> None:
    drive = BY_NAME["subject 2 drive"]
    assert dates_of(drive, FakeRun("r", xcoms={"working_days": ["20200324"]})) == ["20200324"]
    assert dates_of(drive, FakeRun("r", conf={"working_day": "20200322,20200321"})) == ["20200321", "20200322"]
    assert dates_of(drive, FakeRun("r", event_extras=[{"biz_dates": ["20200323"]}])) == ["20200323"]
    watcher = {"from_trigger": True, "payload": {"biz_dates": ["20200320"]}}
    assert dates_of(drive, FakeRun("r", event_extras=[watcher])) == ["20200320"]
    logical = dt.datetime(2020, 3, 25, tzinfo=dt.UTC)
    assert dates_of(drive, FakeRun("r", logical_date=logical)) == ["20200325"]
    assert dates_of(drive, FakeRun("r")) == []  # no date at all: on no row, never an error
    assert dates_of(drive, FakeRun("r", conf={"working_day": "2020-03-22"})) == []


def test_ingest_is_placed_on_the_dates_it_loaded_and_subject_1_on_the_dates_it_built() -> None:
    report = {
        "wrk_date": "20261206",
        "loaded": [{"kind": "status", "data_date": "20200324"}, {"kind": "master", "data_date": None}],
    }
    assert dates_of(BY_NAME["ingest"], FakeRun("r", xcoms={"ingest_spool": report})) == ["20200324"]
    idle = {"wrk_date": "20261206", "loaded": []}
    assert dates_of(BY_NAME["ingest"], FakeRun("r", xcoms={"ingest_spool": idle})) == ["20261206"]
    built = FakeRun("r", conf={"wrk_date": "20261206"}, xcoms={"build_status_mart": ["20200323", "20200324"]})
    assert dates_of(BY_NAME["subject 1 status"], built) == ["20200323", "20200324"]
    assert dates_of(BY_NAME["subject 5 buy list"], FakeRun("r", event_extras=[{"biz_months": ["202003"]}])) == [
        "202003"
    ]


def test_newest_run_wins_a_cell_and_months_fill_their_days() -> None:
    runs = {
        "export": [
            FakeRun("new", "failed", "smartcar_export", conf={"working_day": "20200323"}),
            FakeRun("old", "success", "smartcar_export", conf={"working_day": "20200323,20200322"}),
        ],
        "subject 2 drive": [
            FakeRun("w", "running", "smartcar_subject2_drive", conf={"working_day": "20200324"}, waiting=True)
        ],
        "subject 5 buy list": [FakeRun("m", "success", "smartcar_subject5_buylist", conf={"biz_month": "202003"})],
    }
    quality = {"20200322": ["passed", "passed"], "20200323": ["passed", "failed", "warning"], "all": ["passed"]}
    dates, cells = build(runs, quality)
    assert dates == ["20200324", "20200323", "20200322"]  # newest first; "all" is no business date
    assert cells[("20200323", "export")] == Cell("failed", "smartcar_export", "new")
    assert cells[("20200322", "export")] == Cell("success", "smartcar_export", "old")
    assert cells[("20200324", "subject 2 drive")].state == "waiting"
    assert all(cells[(d, "subject 5 buy list")].run_id == "m" for d in dates)
    assert cells[("20200323", QUALITY)] == Cell("failed") and cells[("20200322", QUALITY)] == Cell("passed")
    assert ("20200324", QUALITY) not in cells and ("20200322", "ingest") not in cells
