"""
### Subject 4: emergency check mart `Managed_SmartCar_Emergency_Check_Info` (docs/business-rules.md#subject-4-emergency-checks)

For each car of the simulation date in the status mart: `Tire Check` (any tire's average < 80),
`Light Check` (any light = '2'), `Engine Check` / `Brake Check` (any 'C'), `Battery Check` (average
battery < 30); only cars with at least one check are written. The original appended; this overwrites
the `biz_date` partition.

Runs after subject 1 (asset `managed_smartcar_status_info`, whose events list the business dates a
load touched; this replaces Oozie's 04:00 offset) and daily for the logical date once subject 1 has
produced it. Param `working_day` overrides the dates. Emits `managed_smartcar_emergency_check_info`.
"""

from __future__ import annotations

from airflow.sdk import task
from smartcar_quality import validation_task

from smartcar.airflow.assets import EMERGENCY_MART, STATUS_MART
from smartcar.airflow.dag_support import (
    daily_or_asset,
    publish_after_checks,
    run_dates_task,
    subject_dag,
    upstream_gate,
)
from smartcar.warehouse import pipeline


@subject_dag(
    "smartcar_subject4_emergency",
    schedule=daily_or_asset(STATUS_MART),
    tag="subject4",
    doc_md=__doc__,
    param="working_day",
    description="Simulation date(s) yyyyMMdd",
)
def smartcar_subject4_emergency() -> None:
    @task
    def build_emergency_mart(days: list[str]) -> list[str]:
        for day in days:
            pipeline.build_emergency_mart(day)
        return days

    working_days = run_dates_task("working_days", param="working_day", event_key="biz_dates")
    built = build_emergency_mart(upstream_gate(STATUS_MART, "biz_dates")(working_days()))
    validation_task(EMERGENCY_MART.name, dates=built) >> publish_after_checks(EMERGENCY_MART)(built)


dag = smartcar_subject4_emergency()
