"""
### Subject 5: item purchase mart `Managed_SmartCar_Item_BuyList_Info` (docs/business-rules.md#subject-5-item-purchases)

Inner join of the over-18 master with the buy list of one month, partition `biz_month` overwritten.
The original hard-coded month `202003`; here the month is the month of the run's logical date, the
months of a newly landed buy list (asset `smartcar_item_buylist`, data-aware) or param `biz_month`
(e.g. `202003` for the reference file). Waits first until the car master has been loaded and checked
once (a buy list can land before the master). Emits `managed_smartcar_item_buylist_info`
with `extra.biz_months`.
"""

from __future__ import annotations

from airflow.sdk import task
from airflow.sdk.exceptions import AirflowSkipException
from smartcar_quality import validation_task

from smartcar.airflow.assets import BUYLIST_LANDED, BUYLIST_MART, MASTER_OVER18
from smartcar.airflow.dag_support import (
    daily_or_asset,
    dimension_gate,
    publish_after_checks,
    run_dates_task,
    subject_dag,
)
from smartcar.warehouse import pipeline


@subject_dag(
    "smartcar_subject5_buylist",
    schedule=daily_or_asset(BUYLIST_LANDED),
    tag="subject5",
    doc_md=__doc__,
    param="biz_month",
    description="Month(s) yyyyMM",
)
def smartcar_subject5_buylist() -> None:
    @task(inlets=[MASTER_OVER18, BUYLIST_LANDED])
    def build_buylist_mart(months: list[str]) -> list[str]:
        missing = [m for m in months if not pipeline.buylist_landed(m)]
        if missing == months:  # an idle month is skipped (not red); a partial input still fails its checks
            raise AirflowSkipException(f"no buy list has been collected for {', '.join(months)}")
        for month in months:
            pipeline.build_buylist_mart(month)
        return months

    months = run_dates_task("months", param="biz_month", event_key="biz_months")
    built = build_buylist_mart(dimension_gate(MASTER_OVER18)(months()))
    validation_task(BUYLIST_MART.name, dates=built) >> publish_after_checks(BUYLIST_MART, key="biz_months")(built)


dag = smartcar_subject5_buylist()
