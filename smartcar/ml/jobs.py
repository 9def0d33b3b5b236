"""The two ML jobs as plain functions (called by the DAG and the CLI).

Their dates end up in Spark SQL and in run directories, so each job parses its date once on entry.
"""

from __future__ import annotations

from smartcar.core.business_dates import BusinessDate, BusinessMonth
from smartcar.ml import classification, clustering, datasets, recommendation, runs, tracking
from smartcar.settings import Settings


class NoTrainingData(ValueError):
    """The requested dates hold no rows (or a single class): nothing to learn from."""


def window(day: BusinessDate, days: int) -> tuple[BusinessDate, BusinessDate]:
    """``(from, to)`` for the ``days`` days ending on ``day``."""
    return day.minus_days(days - 1), day


def run_classification(
    run_date: str,
    days: int = 7,
    trees: int = 5,
    seed: int = 42,
    *,
    settings: Settings,
    vector_indexer: bool = True,
) -> dict:
    run_date = BusinessDate(run_date)
    from_date, to_date = window(run_date, days)
    frame = datasets.classification_frame(from_date, to_date, settings)
    labels = {row["status"] for row in frame.select("status").distinct().collect()}
    if len(labels) < 2:
        raise NoTrainingData(f"biz_date {from_date}..{to_date} has {'no rows' if not labels else 'one class only'}")
    model, metrics = classification.train_and_evaluate(frame, trees=trees, seed=seed, vector_indexer=vector_indexer)
    staging = runs.staging_dir("classification", run_date, settings)
    model.write().overwrite().save(str(staging / "model"))
    result = {"from_date": from_date, "to_date": to_date, **metrics.as_dict()}
    final = runs.publish(staging, "classification", run_date, result, settings)
    tracked = tracking.track(
        "smartcar-classification",
        run_date,
        params={"from_date": from_date, "to_date": to_date, "days": days, "trees": trees, "seed": seed}
        | {"vector_indexer": vector_indexer, "test_share": 0.3, "rows_train": metrics.rows_train},
        metrics=result,
        model_dir=final / "model",
        register_as=tracking.CLASSIFIER_MODEL,
        thresholds={
            "accuracy": settings.ml_register_min_accuracy,
            "recall_abnormal": settings.ml_register_min_recall_abnormal,
        },
        settings=settings,
    )
    return {**result, "tracking": tracked.as_dict()}


def run_clustering(run_date: str, k: int = 200, seed: int = 1, *, settings: Settings) -> dict:
    run_date = BusinessDate(run_date)
    frame = datasets.clustering_frame(settings)
    if frame.limit(1).count() == 0:
        raise NoTrainingData("smartcar_master holds no rows")
    summary, members = clustering.cluster(frame, k=k, seed=seed)
    staging = runs.staging_dir("clustering", run_date, settings)
    members.toPandas().sort_values("car_number").to_csv(staging / "members.csv", index=False)
    result = summary.as_dict()
    runs.publish(staging, "clustering", run_date, result, settings)
    tracked = tracking.track("smartcar-clustering", run_date, {"k": k, "seed": seed}, result, settings=settings)
    return {**result, "tracking": tracked.as_dict()}


RECOMMEND_TABLE = "managed_smartcar_item_recommend_info"


def run_recommendation(month: str, test_share: float = 0.2, seed: int = 7, *, settings: Settings) -> dict:
    """Top 3 items per car for ``month`` into the recommendation table, plus the held-out precision@3."""
    month = BusinessMonth(month)
    import pyarrow as pa

    from smartcar.ml.partition_writer import overwrite_partition

    prefs = recommendation.preferences(datasets.buylist_frame(month, settings)).cache()
    if prefs.limit(1).count() == 0:
        raise NoTrainingData(f"managed_smartcar_item_buylist_info has no rows for biz_month {month}")
    top = recommendation.recommend(prefs).toPandas().sort_values(["car_number", "rank"])
    rows = pa.table(
        {
            "car_number": pa.array(top["car_number"].astype(str), pa.string()),
            "item": pa.array(top["item"].astype(str), pa.string()),
            "score": pa.array(top["score"].astype(float), pa.float64()),
            "rank": pa.array(top["rank"].astype(int), pa.int32()),
        }
    )
    overwrite_partition(RECOMMEND_TABLE, month, rows, settings)
    holdout = recommendation.evaluate_holdout(prefs, test_share=test_share, seed=seed)
    prefs.unpersist()
    result = {
        "biz_month": month,
        "cars": int(top["car_number"].nunique()),
        "rows": len(top),
        "similarity": "co-occurrence (Mahout recommenditembased)",
        **holdout.as_dict(),
    }
    staging = runs.staging_dir("recommendation", month, settings)
    runs.publish(staging, "recommendation", month, result, settings)
    params = {"biz_month": month, "similarity": "co-occurrence", "top_n": recommendation.TOP_N}
    tracked = tracking.track(
        "smartcar-recommendation", month, params | {"test_share": test_share}, result, settings=settings
    )
    return {**result, "tracking": tracked.as_dict()}
