"""Customer segments (docs/analyses.md#customer-segments): k-means over five categorical car/owner attributes.

As the book's Spark listing: capacity class, year class, model, sex and marriage, string-indexed
and min-max scaled, k = 200 with seed 1 on the whole data set, judged by the silhouette score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

FEATURES = ("car_capacity_class", "car_year_class", "car_model", "sex", "marriage")


@dataclass
class ClusteringResult:
    k: int
    seed: int
    cars: int
    clusters_used: int
    silhouette: float
    largest_cluster: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def cluster(frame: DataFrame, k: int = 200, seed: int = 1) -> tuple[ClusteringResult, DataFrame]:
    """Fit k-means; returns the summary and ``(car_number, cluster)`` for every car."""
    from pyspark.ml import Pipeline
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.evaluation import ClusteringEvaluator
    from pyspark.ml.feature import MinMaxScaler, StringIndexer, VectorAssembler

    indexed = [f"{c}_n" for c in FEATURES]
    pipeline = Pipeline(
        stages=[
            *(StringIndexer(inputCol=c, outputCol=f"{c}_n", handleInvalid="keep") for c in FEATURES),
            VectorAssembler(inputCols=indexed, outputCol="raw_features"),
            MinMaxScaler(inputCol="raw_features", outputCol="features"),
            KMeans(k=k, seed=seed, featuresCol="features", predictionCol="cluster"),
        ]
    )
    data = frame.cache()
    predicted = pipeline.fit(data).transform(data).cache()
    silhouette = ClusteringEvaluator(featuresCol="features", predictionCol="cluster").evaluate(predicted)
    sizes = [row["count"] for row in predicted.groupBy("cluster").count().collect()]
    result = ClusteringResult(
        k=k,
        seed=seed,
        cars=sum(sizes),
        clusters_used=len(sizes),
        silhouette=round(silhouette, 4),
        largest_cluster=max(sizes, default=0),
    )
    return result, predicted.select("car_number", "cluster")
