"""
### Subject 1: car status mart `Managed_SmartCar_Status_Info` (docs/business-rules.md#subject-1-status-mart)

Inner join of the over-18 master with the status log of one **load date** (`wrk_date`), filed by
**business date** `biz_date` = first 8 characters of `reg_date` (the simulation date; the `240000`
stamp stays on its own day). Every biz_date that the load touches is rebuilt from all loads and
overwritten (the original's partition-by-load overwrite could drop a day delivered in two loads).

Runs when `smartcar_status_info` gets a new load (data-aware) and daily for the logical date (a
time-scheduled run first waits for the landing of that date). Backfill: pick a range of load dates.
Param `wrk_date` (comma-separated list allowed) overrides the dates.

Emits `managed_smartcar_status_info` with `extra.biz_dates`.
"""

from __future__ import annotations

from airflow.sdk import task
from smartcar_quality import validation_task

from smartcar.airflow.assets import STATUS_LANDED, STATUS_MART
from smartcar.airflow.dag_support import (
    daily_or_asset,
    publish_after_checks,
    run_dates_task,
    subject_dag,
    upstream_gate,
)
from smartcar.warehouse import pipeline


@subject_dag(
    "smartcar_subject1_status",
    schedule=daily_or_asset(STATUS_LANDED),
    tag="subject1",
    doc_md=__doc__,
    param="wrk_date",
    description="Load date(s) yyyyMMdd",
)
def smartcar_subject1_status() -> None:
    @task
    def build_status_mart(wrk_dates: list[str]) -> list[str]:
        biz_dates: set[str] = set()
        for wrk_date in wrk_dates:
            biz_dates.update(pipeline.build_status_mart(wrk_date))
        return sorted(biz_dates)

    load_dates = run_dates_task("load_dates", param="wrk_date", event_key="wrk_date")
    dates = upstream_gate(STATUS_LANDED, "wrk_date")(load_dates())
    built = build_status_mart(dates)
    publish = publish_after_checks(STATUS_MART)(built, extra={"wrk_dates": dates})
    validation_task(STATUS_MART.name, dates=built) >> publish


dag = smartcar_subject1_status()
