"""
### SmartCar batch ingestion (the original's Flume spool flow, docs/original-system.md#flume-spool-flow)

Picks up every completed file in the spool directory (`SMARTCAR_SPOOL_DIR`) and lands it in the
warehouse: status logs through the original interceptors (keep lines starting with 14 digits, append
`,<wrk_date>`) under `collect/car-batch-log/wrk_date=<wrk_date>/`, the car master and buy lists
unchanged. Counts are reconciled per file (in = landed + filtered) and kept with a SHA-256 in the
processed-files ledger, so a file delivered twice is never loaded twice; the source is removed only
after the landed file is durable.

**Dates.** `wrk_date` is the *load* date: the logical date `D` of this run (the day whose files were
collected). It is not the business date: a status file of simulation day `20200322` may be collected
on `20200323`; subject 1 then files its rows under `biz_date=20200322`. Re-running a date is a no-op
(the ledger knows every file); a backfill of a past date lands whatever is in the spool at the time
under that date.

Emits: `smartcar_status_info` (`extra.wrk_date`), `smartcar_item_buylist` (`extra.biz_months`, only
when a buy list arrived), `smartcar_master_over18`.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from smartcar_quality import validation_task

from smartcar.airflow.assets import BUYLIST_LANDED, MASTER_LANDED, MASTER_OVER18, STATUS_LANDED
from smartcar.airflow.dag_support import DAGRUN_TIMEOUT, DEFAULT_ARGS, START, TAGS, daily, publish_after_checks
from smartcar.airflow.run_dates import run_dates
from smartcar.warehouse import pipeline


@dag(
    dag_id="smartcar_ingest",
    schedule=daily(),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    dagrun_timeout=DAGRUN_TIMEOUT,
    tags=[*TAGS, "ingest"],
    doc_md=__doc__,
    params={"wrk_date": Param(None, type=["null", "string"], description="Load date yyyyMMdd (default: logical date)")},
)
def smartcar_ingest() -> None:
    @task
    def create_tables() -> None:
        pipeline.ensure_tables()

    @task
    def ingest_spool(**context) -> dict:
        (wrk_date,) = run_dates(context, param="wrk_date", event_key="wrk_date")
        return pipeline.ingest_spool(wrk_date)

    @task
    def register_status_partition(report: dict) -> str:
        wrk_date = report["wrk_date"]
        if not pipeline.landed_status_files(wrk_date):
            # an idle day is not a failure: skipped (not red), and no event for consumers to act on
            raise AirflowSkipException(f"no status file has been collected for load date {wrk_date}")
        pipeline.register_status_partition(wrk_date)
        return wrk_date

    @task(outlets=[BUYLIST_LANDED])
    def publish_buylist(report: dict, *, outlet_events=None) -> list[str]:
        months = sorted({r["data_date"] for r in report["loaded"] if r["kind"] == "buylist"})
        if not months:
            raise AirflowSkipException("no buy list in this load")
        outlet_events[BUYLIST_LANDED].extra = {"biz_months": months}
        return months

    @task
    def build_master_over18(report: dict) -> int:
        return pipeline.build_master_over18()

    report = ingest_spool()
    create_tables() >> report
    registered = register_status_partition(report)
    validation_task(STATUS_LANDED.name, dates=registered) >> publish_after_checks(STATUS_LANDED, key="wrk_date")(
        registered
    )
    publish_buylist(report)
    master_checked = validation_task([MASTER_LANDED.name, MASTER_OVER18.name], dates="")
    build_master_over18(report) >> master_checked >> publish_after_checks(MASTER_LANDED, MASTER_OVER18, key=None)()


dag = smartcar_ingest()
