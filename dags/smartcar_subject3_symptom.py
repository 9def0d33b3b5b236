"""
### Subject 3: abnormal driving mart `Managed_SmartCar_Symptom_Info` (docs/business-rules.md#subject-3-abnormal-driving)

Per car and simulation date: average accelerator and brake pedal, flagged `abnormal` when more than
2 population standard deviations (across cars' averages) from the global average, and the count of
sharp turns (L2/L3/R2/R3), `abnormal` above 2000; cars with no sharp turn are not written. Global
figures use all dates up to the run's date, so a rerun or backfill of a past date reproduces it.
The original appended; this overwrites the `biz_date` partition.

Runs after subject 2 (asset `managed_smartcar_drive_info`, replacing Oozie's 03:00 offset) and daily
for the logical date once subject 2 has produced it. Param `working_day` overrides the dates.
Emits `managed_smartcar_symptom_info` with `extra.biz_dates` only after its critical checks passed.
"""

from __future__ import annotations

from airflow.sdk import task
from smartcar_quality import validation_task

from smartcar.airflow.assets import DRIVE_MART, SYMPTOM_MART
from smartcar.airflow.dag_support import (
    daily_or_asset,
    publish_after_checks,
    run_dates_task,
    subject_dag,
    upstream_gate,
)
from smartcar.warehouse import pipeline


@subject_dag(
    "smartcar_subject3_symptom",
    schedule=daily_or_asset(DRIVE_MART),
    tag="subject3",
    doc_md=__doc__,
    param="working_day",
    description="Simulation date(s) yyyyMMdd",
)
def smartcar_subject3_symptom() -> None:
    @task(max_active_tis_per_dag=1)  # builds one date at a time (global figures read every date); waits never block
    def build_symptom_mart(days: list[str]) -> list[str]:
        for day in days:
            pipeline.build_symptom_mart(day)
        return days

    working_days = run_dates_task("working_days", param="working_day", event_key="biz_dates")
    built = build_symptom_mart(upstream_gate(DRIVE_MART, "biz_dates")(working_days()))
    validation_task(SYMPTOM_MART.name, dates=built) >> publish_after_checks(SYMPTOM_MART)(built)


dag = smartcar_subject3_symptom()
