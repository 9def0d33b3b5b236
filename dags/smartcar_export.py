"""
### Sqoop-style export of the symptom and emergency-check marts (docs/original-system.md#sqoop-export)

Runs when both marts have been rebuilt (assets `managed_smartcar_symptom_info` and
`managed_smartcar_emergency_check_info`), for the business dates their events list; a manual run
takes the dates from the `working_day` param (comma-separated `yyyyMMdd`).

1. **validate_marts**: Great Expectations on Spark for the status mart (the input of the emergency
   checks) and the two exported marts; the symptom suite reconciles against the drive mart. A report
   newer than the data is reused (the batch DAGs validate after each build). A critical failure
   fails the task and the export does not run; the failure is notified and its Data Docs are one
   click away (extra link "Data Docs").
2. **export_marts**: per date and mart, delete the date then insert in chunks, in one transaction,
   into `smartcar_symptom_info` / `smartcar_emergency_check_info` of the database of
   `SMARTCAR_EXPORT_DB_URL` (tables created and evolved by alembic). Re-running a date changes
   nothing; source and target counts are reconciled and logged in `smartcar_export_runs`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task
from smartcar_quality import validation_task

from smartcar.airflow.assets import EMERGENCY_MART, STATUS_MART, SYMPTOM_MART
from smartcar.airflow.dag_support import START
from smartcar.airflow.notifications import SmartcarNotifier
from smartcar.airflow.run_dates import run_dates

DEFAULT_ARGS = {
    "owner": "smartcar-export",
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
    "execution_timeout": timedelta(minutes=30),
}


@dag(
    dag_id="smartcar_export",
    schedule=SYMPTOM_MART & EMERGENCY_MART,
    start_date=START,  # as the marts: a run or backfill of any past date has its tasks
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["smartcar", "export", "quality"],
    doc_md=__doc__,
    params={"working_day": Param(None, type=["null", "string"], description="Business date(s) yyyyMMdd")},
)
def smartcar_export() -> None:
    @task
    def working_days(**context) -> list[str]:
        return run_dates(context, param="working_day", event_key="biz_dates")

    @task(on_failure_callback=SmartcarNotifier(title="Export failed: {{ ti.dag_id }} {{ ds }}"))
    def export_marts(days: list[str]) -> list[dict]:
        from smartcar.export.loader import export_date

        return [export_date(mart, day).to_dict() for day in days for mart in ("symptom", "emergency")]

    days = working_days()
    gate = validation_task(
        [STATUS_MART.name, SYMPTOM_MART.name, EMERGENCY_MART.name],
        dates=days,
        reuse=True,
        task_id="validate_marts",
    )
    gate >> export_marts(days)


dag = smartcar_export()
