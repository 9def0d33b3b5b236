"""Item recommendations (docs/analyses.md#item-recommendation): the book's ``mahout recommenditembased``, in Spark.

"Item-based" in the book is Mahout's item-based collaborative filtering with co-occurrence
similarity: two items are similar by the number of cars that bought both, and a car's estimate for
an item it has not bought is the similarity-weighted average of its own scores of the items it did
buy (Mahout's ``AggregateAndRecommendReducer``), three items per car. ALS would be a latent-factor
model, not the book's method, so it is not used. Everything is DataFrame algebra over the buy-list
mart (30 items, so the item-item matrix is at most 900 cells); ties are broken by item name, so a
re-run gives the same rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

TOP_N = 3
"""The book's ``--numRecommendations 3``."""


def preferences(buylist: DataFrame) -> DataFrame:
    """``(car_number, item, pref)``: a car's mean score per item (the list repeats pairs)."""
    from pyspark.sql import functions as F

    return (
        buylist.where(F.col("car_number").isNotNull() & F.col("item").isNotNull() & F.col("score").isNotNull())
        .groupBy("car_number", "item")
        .agg(F.avg(F.col("score").cast("double")).alias("pref"))
    )


def cooccurrence(prefs: DataFrame) -> DataFrame:
    """``(item, other, sim)``: cars that bought both, for every pair of different items."""
    from pyspark.sql import functions as F

    a, b = prefs.alias("a"), prefs.alias("b")
    return (
        a.join(b, (F.col("a.car_number") == F.col("b.car_number")) & (F.col("a.item") != F.col("b.item")))
        .groupBy(F.col("a.item").alias("item"), F.col("b.item").alias("other"))
        .agg(F.count("*").cast("double").alias("sim"))
    )


def recommend(prefs: DataFrame, top_n: int = TOP_N) -> DataFrame:
    """``(car_number, item, score, rank)``: the top ``top_n`` items each car has not bought."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sims = cooccurrence(prefs)
    owned = prefs.select("car_number", F.col("item").alias("other"), "pref")
    estimates = (
        owned.join(sims, "other")
        .groupBy("car_number", "item")
        .agg((F.sum(F.col("sim") * F.col("pref")) / F.sum(F.abs(F.col("sim")))).alias("score"))
        .join(prefs.select("car_number", "item"), ["car_number", "item"], "left_anti")
    )
    ranked = Window.partitionBy("car_number").orderBy(F.col("score").desc(), F.col("item"))
    return (
        estimates.withColumn("rank", F.row_number().over(ranked))
        .where(F.col("rank") <= top_n)
        .withColumn("score", F.round("score", 6))
    )


def popular(prefs: DataFrame, top_n: int = TOP_N) -> DataFrame:
    """The baseline: per car, the ``top_n`` items most cars bought that this car has not."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    counts = prefs.groupBy("item").agg(F.count("*").alias("cars"))
    cars = prefs.select("car_number").distinct()
    candidates = cars.crossJoin(counts).join(prefs.select("car_number", "item"), ["car_number", "item"], "left_anti")
    ranked = Window.partitionBy("car_number").orderBy(F.col("cars").desc(), F.col("item"))
    return candidates.withColumn("rank", F.row_number().over(ranked)).where(F.col("rank") <= top_n)


@dataclass
class HoldoutResult:
    cars_evaluated: int
    test_share: float
    seed: int
    precision_at_3: float
    precision_at_3_popularity: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def split(prefs: DataFrame, test_share: float, seed: int) -> tuple[DataFrame, DataFrame]:
    """A car-item pair is held out by a hash of (car, item, seed): the same split on every engine and run."""
    from pyspark.sql import functions as F

    bucket = (F.abs(F.xxhash64("car_number", "item", F.lit(seed))) % 10_000) / 10_000.0
    tagged = prefs.withColumn("_bucket", bucket)
    return tagged.where(F.col("_bucket") >= test_share).drop("_bucket"), tagged.where(
        F.col("_bucket") < test_share
    ).drop("_bucket")


def _precision(recommended: DataFrame, held_out: DataFrame, top_n: int) -> tuple[int, float]:
    from pyspark.sql import functions as F

    cars = held_out.select("car_number").distinct()
    hits = (
        recommended.join(cars, "car_number")
        .join(held_out.select("car_number", "item").withColumn("hit", F.lit(1)), ["car_number", "item"], "left")
        .groupBy("car_number")
        .agg(F.coalesce(F.sum("hit"), F.lit(0)).alias("hits"))
    )
    row = hits.agg(F.count("*").alias("n"), F.avg(F.col("hits") / top_n).alias("p")).collect()[0]
    return int(row["n"]), round(float(row["p"] or 0.0), 6)


def evaluate_holdout(prefs: DataFrame, test_share: float = 0.2, seed: int = 7, top_n: int = TOP_N) -> HoldoutResult:
    """Precision@3 on held-out car-item pairs, for the item-based model and for the popularity baseline."""
    train, test = split(prefs, test_share, seed)
    train = train.cache()
    cars, model_p = _precision(recommend(train, top_n), test, top_n)
    _, popular_p = _precision(popular(train, top_n), test, top_n)
    train.unpersist()
    return HoldoutResult(cars, test_share, seed, model_p, popular_p)
