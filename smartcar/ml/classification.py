"""Smart-car status prediction (SEED_SPEC 8.3): a 5-tree random forest on 14 status features.

Same features, scaling and model as the book's Spark ML listing; two deliberate changes: the 70/30
split takes a seed (the original had none, so no two runs agreed), and the metrics are computed and
stored, with positive = abnormal as the book defines it, instead of read off a notebook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from smartcar.layouts import LIGHTS, TIRES

if TYPE_CHECKING:
    from pyspark.ml import PipelineModel
    from pyspark.sql import DataFrame

ABNORMAL = "비정상"
NORMAL = "정상"
FEATURES = ("car_capacity", "car_year", "car_model_n", *TIRES, *LIGHTS, "engine_n", "break_n", "battery")
"""The book's 14-feature vector, in its order."""
NUMERIC = ("car_capacity", "car_year", *TIRES, "battery", *LIGHTS)


@dataclass
class ClassificationMetrics:
    rows_train: int
    rows_test: int
    accuracy: float
    tp: int
    fp: int
    tn: int
    fn: int
    precision_abnormal: float
    recall_abnormal: float
    f1_abnormal: float
    false_positive_rate: float
    trees: int
    seed: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _ratio(num: int, den: int) -> float:
    return round(num / den, 6) if den else 0.0


def build_pipeline(trees: int, seed: int):
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import MinMaxScaler, StringIndexer, VectorAssembler

    return Pipeline(
        stages=[
            StringIndexer(inputCol="car_model", outputCol="car_model_n", handleInvalid="keep"),
            StringIndexer(inputCol="engine", outputCol="engine_n", handleInvalid="keep"),
            StringIndexer(inputCol="break", outputCol="break_n", handleInvalid="keep"),
            VectorAssembler(inputCols=list(FEATURES), outputCol="raw_features", handleInvalid="skip"),
            MinMaxScaler(inputCol="raw_features", outputCol="features"),
            RandomForestClassifier(labelCol="label", featuresCol="features", numTrees=trees, seed=seed),
        ]
    )


def prepare(frame: DataFrame) -> DataFrame:
    """Typed columns and ``label`` = 1.0 for abnormal (the book's LibSVM convention)."""
    from pyspark.sql import functions as F

    for column in NUMERIC:
        frame = frame.withColumn(column, F.col(column).cast("double"))
    return frame.withColumn("label", F.when(F.col("status") == ABNORMAL, 1.0).otherwise(0.0))


def train_and_evaluate(
    frame: DataFrame, trees: int = 5, seed: int = 42, test_share: float = 0.3
) -> tuple[PipelineModel, ClassificationMetrics]:
    data = prepare(frame).cache()
    train, test = data.randomSplit([1 - test_share, test_share], seed=seed)
    model = build_pipeline(trees, seed).fit(train)
    predicted = model.transform(test)
    counts = {
        (row["label"], row["prediction"]): row["count"]
        for row in predicted.groupBy("label", "prediction").count().collect()
    }
    tp, fn = counts.get((1.0, 1.0), 0), counts.get((1.0, 0.0), 0)
    fp, tn = counts.get((0.0, 1.0), 0), counts.get((0.0, 0.0), 0)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    metrics = ClassificationMetrics(
        rows_train=train.count(),
        rows_test=tp + fp + tn + fn,
        accuracy=_ratio(tp + tn, tp + fp + tn + fn),
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        precision_abnormal=precision,
        recall_abnormal=recall,
        f1_abnormal=round(2 * precision * recall / (precision + recall), 6) if precision + recall else 0.0,
        false_positive_rate=_ratio(fp, fp + tn),
        trees=trees,
        seed=seed,
    )
    data.unpersist()
    return model, metrics
