"""The overview's pipeline matrix: business dates (rows) by stage (columns), each cell a DAG run's state.

A run does not carry "its date" in one place: a run may be told its dates by a param, by the
asset events that triggered it, or by its logical date (see :mod:`smartcar.airflow.run_dates`),
and some stages learn their business dates while running (ingest from the files it loaded,
subject 1 from the status rows of a load date). So a run's dates are, in this order: the
``return_value`` of the stage's dates task when it ran, else what ``run_dates`` computes from the
run's conf, triggering events and logical date. A cell shows the newest run covering the date.
This module is pure (no Airflow import) so it is unit-tested on plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

from smartcar.airflow.run_dates import run_dates
from smartcar.core.business_dates import BusinessDate, BusinessMonth


class Run(Protocol):
    dag_id: str
    run_id: str
    state: str
    logical_date: dt.datetime | None
    conf: dict[str, Any]
    event_extras: list[dict[str, Any]]
    xcoms: dict[str, Any]
    waiting: bool


@dataclass(frozen=True)
class Stage:
    name: str
    dag_id: str | None
    """None for the quality column, which comes from the validation reports, not from one DAG."""
    param: str | None = None
    event_key: str = "biz_dates"
    dates_task: str | None = None
    monthly: bool = False


QUALITY = "quality"
STAGES: tuple[Stage, ...] = (
    Stage("ingest", "smartcar_ingest", "wrk_date", "wrk_date", "ingest_spool"),
    Stage("subject 1 status", "smartcar_subject1_status", "wrk_date", "wrk_date", "build_status_mart"),
    Stage("subject 2 drive", "smartcar_subject2_drive", "working_day", "biz_dates", "working_days"),
    Stage("subject 3 symptom", "smartcar_subject3_symptom", "working_day", "biz_dates", "working_days"),
    Stage("subject 4 emergency", "smartcar_subject4_emergency", "working_day", "biz_dates", "working_days"),
    Stage("subject 5 buy list", "smartcar_subject5_buylist", "biz_month", "biz_months", "months", monthly=True),
    Stage(QUALITY, None),
    Stage("export", "smartcar_export", "working_day", "biz_dates", "working_days"),
    Stage("ML", "smartcar_ml", None, "biz_dates", "run_date"),
)


@dataclass(frozen=True)
class Cell:
    state: str
    """A DAG run state, ``waiting`` (running, but its upstream gate is waiting) or a quality status."""
    dag_id: str | None = None
    run_id: str | None = None


def _from_xcom(stage: Stage, value: Any) -> list[str]:
    if stage.dates_task == "ingest_spool" and isinstance(value, Mapping):
        loaded = {r.get("data_date") for r in value.get("loaded") or [] if isinstance(r, Mapping)}
        days = sorted(d for d in loaded if BusinessDate.is_valid(d))
        return days or ([value["wrk_date"]] if BusinessDate.is_valid(value.get("wrk_date")) else [])
    if isinstance(value, list | tuple):  # an XCom someone else wrote: skip what is not a date, do not fail
        kind = BusinessMonth if stage.monthly else BusinessDate
        return sorted({str(v) for v in value if kind.is_valid(str(v))})
    return []


def dates_of(stage: Stage, run: Run) -> list[str]:
    """The business dates (months for monthly stages) ``run`` built or is building."""
    if stage.dates_task and stage.dates_task in run.xcoms:
        found = _from_xcom(stage, run.xcoms[stage.dates_task])
        if found:
            return found
    context = {
        "params": {stage.param: run.conf.get(stage.param)} if stage.param else {},
        "logical_date": run.logical_date,
        "triggering_asset_events": {"events": [SimpleNamespace(extra=e) for e in run.event_extras]},
    }
    try:
        return run_dates(context, param=stage.param or "", event_key=stage.event_key)
    except ValueError:  # no date at all, or a malformed one given by hand: the run is on no row
        return []


def run_cell(run: Run) -> Cell:
    state = "waiting" if run.state == "running" and run.waiting else run.state
    return Cell(state, run.dag_id, run.run_id)


WORST = ("failed", "warning", "passed")


def build(
    runs_by_stage: Mapping[str, Sequence[Run]],
    quality: Mapping[str, Iterable[str]],
    stages: Sequence[Stage] = STAGES,
) -> tuple[list[str], dict[tuple[str, str], Cell]]:
    """``(dates newest first, {(date, stage name): cell})``.

    ``runs_by_stage`` holds each stage's runs newest first; ``quality`` maps a date to the statuses
    of its tables' latest validations (the cell shows the worst).
    """
    cells: dict[tuple[str, str], Cell] = {}
    monthly: dict[str, dict[str, Cell]] = {}
    dates: set[str] = {d for d in quality if BusinessDate.is_valid(d)}
    for stage in stages:
        for run in runs_by_stage.get(stage.name, ()):
            for date in dates_of(stage, run):
                if stage.monthly:
                    monthly.setdefault(stage.name, {}).setdefault(date, run_cell(run))
                else:
                    dates.add(date)
                    cells.setdefault((date, stage.name), run_cell(run))
    for date in dates:
        for name, per_month in monthly.items():
            if date[:6] in per_month:
                cells[(date, name)] = per_month[date[:6]]
        statuses = set(quality.get(date, ()))
        worst = next((s for s in WORST if s in statuses), None)
        if worst:
            cells[(date, QUALITY)] = Cell(worst)
    return sorted(dates, reverse=True), cells
