"""
### Subject 4: emergency check mart `Managed_SmartCar_Emergency_Check_Info` (SEED_SPEC 5.3)

For each car of the simulation date in the status mart: `Tire Check` (any tire's average < 80),
`Light Check` (any light = '2'), `Engine Check` / `Brake Check` (any 'C'), `Battery Check` (average
battery < 30); only cars with at least one check are written. The original appended; this overwrites
the `biz_date` partition.

Runs after subject 1 (asset `managed_smartcar_status_info`, whose events list the business dates a
load touched; this replaces Oozie's 04:00 offset) and daily for the logical date once subject 1 has
produced it. Param `working_day` overrides the dates. Emits `managed_smartcar_emergency_check_info`.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from smartcar_quality import validation_task

from smartcar.warehouse import pipeline
from smartcar.warehouse.assets import EMERGENCY_MART, STATUS_MART
from smartcar.warehouse.dag_support import (
    DAGRUN_TIMEOUT,
    DEFAULT_ARGS,
    START,
    TAGS,
    daily_or_asset,
    publish_after_checks,
    upstream_gate,
)
from smartcar.warehouse.run_dates import run_dates


@dag(
    dag_id="smartcar_subject4_emergency",
    schedule=daily_or_asset(STATUS_MART),
    start_date=START,
    catchup=False,
    default_args=DEFAULT_ARGS,
    dagrun_timeout=DAGRUN_TIMEOUT,
    tags=[*TAGS, "subject4"],
    doc_md=__doc__,
    params={"working_day": Param(None, type=["null", "string"], description="Simulation date(s) yyyyMMdd")},
)
def smartcar_subject4_emergency() -> None:
    @task
    def working_days(**context) -> list[str]:
        return run_dates(context, param="working_day", event_key="biz_dates")

    @task
    def build_emergency_mart(days: list[str]) -> list[str]:
        for day in days:
            pipeline.build_emergency_mart(day)
        return days

    built = build_emergency_mart(upstream_gate(STATUS_MART, "biz_dates")(working_days()))
    validation_task(EMERGENCY_MART.name, dates=built) >> publish_after_checks(EMERGENCY_MART)(built)


dag = smartcar_subject4_emergency()
