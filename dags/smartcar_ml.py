"""
### Spark ML: status classifier, customer segments, item recommendations (docs/analyses.md#machine-learning)

* `classify`: the original's 14-feature pipeline (VectorIndexer 20, 5-tree random forest) on the status mart, trained on the
  seven business days ending on the logical date (label: the book's component-score rule, below 6
  means abnormal), evaluated on a seeded 30 % split. Metrics (accuracy, confusion matrix with
  positive = abnormal, precision, recall, F1, FPR) and the model are kept under
  `$SMARTCAR_HOME/ml/classification/<date>/`.
* `cluster`: k-means (k = 200, seed 1) over capacity class, year class, model, sex and marriage of
  every car in `smartcar_master`; silhouette and the car-to-cluster list under `ml/clustering/<date>/`.
* `recommend_items`: the book's item-based recommender (Mahout `recommenditembased`, co-occurrence)
  on the buy-list mart of the logical date's month (or param `biz_month`, e.g. `202003`): top 3
  items per car with scores into the warehouse table `managed_smartcar_item_recommend_info`
  (partition `biz_month` overwritten), the held-out precision@3 beside a popularity baseline under
  `ml/recommendation/<month>/`; skipped when the month has no buy-list mart. Its Great Expectations
  suite runs next (three items per car, scores 1-5, unique ranks); only then
  `export_recommendations` replaces that month in the export database's `smartcar_item_recommend_info`.

Every run is logged to MLflow (`SMARTCAR_MLFLOW_TRACKING_URI`); the classifier is registered as
`smartcar-status-classifier` only above the configured accuracy and recall thresholds.

Daily, after the status mart of the date exists (the time-scheduled run waits for it). Re-running or
backfilling a date replaces that date's results whole. One run at a time: each holds a Spark JVM.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from smartcar_quality import validation_task

from smartcar.airflow.assets import BUYLIST_MART, MASTER_LANDED, STATUS_MART
from smartcar.airflow.dag_support import DEFAULT_ARGS, START, daily, upstream_gate


@dag(
    dag_id="smartcar_ml",
    schedule=daily(),
    start_date=START,
    catchup=False,
    default_args={**DEFAULT_ARGS, "owner": "smartcar-ml"},
    tags=["smartcar", "ml", "spark"],
    doc_md=__doc__,
    params={"biz_month": Param(None, type=["null", "string"], description="Recommendation month yyyyMM")},
)
def smartcar_ml() -> None:
    @task
    def run_date(ds_nodash: str | None = None) -> list[str]:
        return [ds_nodash]

    @task(inlets=[STATUS_MART], max_active_tis_per_dag=1)  # one Spark job at a time, runs still independent
    def classify(dates: list[str]) -> dict:
        from smartcar.ml.jobs import run_classification
        from smartcar.settings import get_settings

        return run_classification(dates[0], settings=get_settings())

    @task(inlets=[MASTER_LANDED], max_active_tis_per_dag=1)
    def cluster(ds_nodash: str | None = None) -> dict:
        from smartcar.ml.jobs import run_clustering
        from smartcar.settings import get_settings

        return run_clustering(ds_nodash, settings=get_settings())

    @task(inlets=[BUYLIST_MART], max_active_tis_per_dag=1, trigger_rule="none_failed")
    def recommend_items(ds_nodash: str | None = None, params: dict | None = None) -> str:
        from smartcar.ml.jobs import NoTrainingData, run_recommendation
        from smartcar.settings import get_settings

        month = (params or {}).get("biz_month") or ds_nodash[:6]
        try:
            run_recommendation(month, settings=get_settings())
        except NoTrainingData as exc:
            raise AirflowSkipException(str(exc)) from None
        return month

    @task
    def export_recommendations(month: str) -> dict:
        from smartcar.export.loader import export_date

        return export_date("recommend", month).to_dict()

    dates = upstream_gate(STATUS_MART, "biz_dates")(run_date())
    recommended = recommend_items()  # after the clustering: one Spark JVM at a time on a small machine
    classify(dates) >> cluster() >> recommended
    checked = validation_task("managed_smartcar_item_recommend_info", dates=recommended)
    checked >> export_recommendations(recommended)


dag = smartcar_ml()
