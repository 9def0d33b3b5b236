"""
### Subject 2: driving mart `Managed_SmartCar_Drive_Info` (docs/business-rules.md#subject-2-driving-mart)

1. `copy_drive_from_hbase`: every HBase `DriverCarInfo` row of the simulation date (row keys hold the
   reversed timestamp, so the date is matched by a server-side RowFilter) is written as Parquet to the
   `SmartCar_Drive_Info_2` partition `wrk_date=<date>`, replacing it.
2. `wait_for_smartcar_master_over18`: waits until the car master has been loaded and checked once (the
   stream may complete a day before the first ingest has run).
3. `build_drive_mart`: inner join with the over-18 master; the `biz_date=<date>` partition is
   overwritten.

The date is the **simulation (business) date** `D` = the run's logical date (or param `working_day`).
Runs daily and, event-driven, whenever the stream announces driving days as complete
(`hbase_drivercarinfo`: a day with no new events for `SMARTCAR_DRIVE_DAY_QUIET_S` while the stream
is caught up; late events re-announce it and the rebuild overwrites the partition).
Backfill any range of dates whose driving events are still in HBase. Emits
`smartcar_drive_info_2` and `managed_smartcar_drive_info` with `extra.biz_dates`.
"""

from __future__ import annotations

from airflow.sdk import task
from airflow.sdk.exceptions import AirflowSkipException
from smartcar_quality import validation_task

from smartcar.airflow.assets import DRIVE_EVENTS, DRIVE_INFO_2, DRIVE_MART, MASTER_OVER18
from smartcar.airflow.dag_support import (
    daily_or_asset,
    dimension_gate,
    publish_after_checks,
    run_dates_task,
    subject_dag,
)
from smartcar.warehouse import pipeline


@subject_dag(
    "smartcar_subject2_drive",
    schedule=daily_or_asset(DRIVE_EVENTS),
    tag="subject2",
    doc_md=__doc__,
    param="working_day",
    description="Simulation date(s) yyyyMMdd",
)
def smartcar_subject2_drive() -> None:
    @task
    def create_tables() -> None:
        pipeline.ensure_tables()

    @task(inlets=[DRIVE_EVENTS])
    def copy_drive_from_hbase(days: list[str]) -> dict[str, int]:
        counts = {day: pipeline.copy_drive_from_hbase(day) for day in days}
        if not any(counts.values()):  # an idle day is skipped (not red); HBase down still fails
            raise AirflowSkipException(f"no driving events in HBase for {', '.join(days)}")
        return counts

    @task(inlets=[MASTER_OVER18, DRIVE_INFO_2])
    def build_drive_mart(days: list[str]) -> list[str]:
        for day in days:
            pipeline.build_drive_mart(day)
        return days

    days = run_dates_task("working_days", param="working_day", event_key="biz_dates")()
    create_tables() >> days
    copied = copy_drive_from_hbase(days)
    master_loaded = dimension_gate(MASTER_OVER18)(days)
    built = build_drive_mart(master_loaded)
    copy_checked = validation_task(DRIVE_INFO_2.name, dates=days)
    copied >> copy_checked >> [master_loaded, publish_after_checks(DRIVE_INFO_2)(days, extra={"rows": copied})]
    validation_task(DRIVE_MART.name, dates=built) >> publish_after_checks(DRIVE_MART)(built)


dag = smartcar_subject2_drive()
