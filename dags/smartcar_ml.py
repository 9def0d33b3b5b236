"""
### Spark ML: smart-car status classifier and customer segments (SEED_SPEC 8.3, 8.4)

* `classify`: the original's 14-feature, 5-tree random forest on the status mart, trained on the
  seven business days ending on the logical date (label: the book's component-score rule, below 6
  means abnormal), evaluated on a seeded 30 % split. Metrics (accuracy, confusion matrix with
  positive = abnormal, precision, recall, F1, FPR) and the model are kept under
  `$SMARTCAR_HOME/ml/classification/<date>/`.
* `cluster`: k-means (k = 200, seed 1) over capacity class, year class, model, sex and marriage of
  every car in `smartcar_master`; silhouette and the car-to-cluster list under `ml/clustering/<date>/`.

Daily, after the status mart of the date exists (the time-scheduled run waits for it). Re-running or
backfilling a date replaces that date's results whole. One run at a time: each holds a Spark JVM.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from smartcar.warehouse.assets import MASTER_LANDED, STATUS_MART
from smartcar.warehouse.dag_support import DEFAULT_ARGS, START, daily, upstream_gate


@dag(
    dag_id="smartcar_ml",
    schedule=daily(),
    start_date=START,
    catchup=False,
    default_args={**DEFAULT_ARGS, "owner": "smartcar-ml"},
    tags=["smartcar", "ml", "spark"],
    doc_md=__doc__,
)
def smartcar_ml() -> None:
    @task
    def run_date(ds_nodash: str | None = None) -> list[str]:
        return [ds_nodash]

    @task(inlets=[STATUS_MART], max_active_tis_per_dag=1)  # one Spark job at a time, runs still independent
    def classify(dates: list[str]) -> dict:
        from smartcar.ml.jobs import run_classification

        return run_classification(dates[0])

    @task(inlets=[MASTER_LANDED], max_active_tis_per_dag=1)
    def cluster(ds_nodash: str | None = None) -> dict:
        from smartcar.ml.jobs import run_clustering

        return run_clustering(ds_nodash)

    dates = upstream_gate(STATUS_MART, "biz_dates")(run_date())
    classify(dates) >> cluster()


dag = smartcar_ml()
