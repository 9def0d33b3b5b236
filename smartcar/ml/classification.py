"""Smart-car status prediction (docs/analyses.md#status-classification): a 5-tree random forest on 14 status features.

The book's Spark ML listing, stage for stage: string-index model/engine/brake, assemble the 14
features, min-max scale, ``VectorIndexer(maxCategories=20)`` (features with at most 20 distinct
values become categorical for the trees: the lights, the indexed codes, capacity and year), then the
random forest. Two deliberate changes: the 70/30 split takes a seed (the original had none, so no two
runs agreed), and the metrics (both labels, positive = abnormal as the book defines it) are computed
and stored instead of read off a notebook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from smartcar.core.layouts import LIGHTS, TIRES

if TYPE_CHECKING:
    from pyspark.ml import Pipeline, PipelineModel
    from pyspark.sql import DataFrame

ABNORMAL = "비정상"
NORMAL = "정상"
FEATURES = ("car_capacity", "car_year", "car_model_n", *TIRES, *LIGHTS, "engine_n", "break_n", "battery")
"""The book's 14-feature vector, in its order."""
NUMERIC = ("car_capacity", "car_year", *TIRES, "battery", *LIGHTS)
MAX_CATEGORIES = 20
"""The book's ``VectorIndexer.setMaxCategories(20)``."""


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
    precision_normal: float
    recall_normal: float
    f1_normal: float
    false_positive_rate_normal: float
    abnormal_share_test: float
    trees: int
    seed: int
    vector_indexer: bool

    def as_dict(self) -> dict[str, object]:
        """Flat metrics plus the confusion matrix keyed actual -> predicted, as the book prints it."""
        return {
            **asdict(self),
            "confusion_matrix": {
                "normal": {"normal": self.tn, "abnormal": self.fp},
                "abnormal": {"normal": self.fn, "abnormal": self.tp},
            },
        }


def _ratio(num: int, den: int) -> float:
    return round(num / den, 6) if den else 0.0


def _f1(precision: float, recall: float) -> float:
    return round(2 * precision * recall / (precision + recall), 6) if precision + recall else 0.0


def metrics_from_counts(tp: int, fp: int, tn: int, fn: int, **run: int | bool) -> ClassificationMetrics:
    """Per-label metrics from the confusion matrix (the book's or ours); ``run`` fills the run fields."""
    total = tp + fp + tn + fn
    p_ab, r_ab = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    p_no, r_no = _ratio(tn, tn + fn), _ratio(tn, tn + fp)
    return ClassificationMetrics(
        rows_train=int(run.get("rows_train", 0)),
        rows_test=total,
        accuracy=_ratio(tp + tn, total),
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        precision_abnormal=p_ab,
        recall_abnormal=r_ab,
        f1_abnormal=_f1(p_ab, r_ab),
        false_positive_rate=_ratio(fp, fp + tn),
        precision_normal=p_no,
        recall_normal=r_no,
        f1_normal=_f1(p_no, r_no),
        false_positive_rate_normal=_ratio(fn, fn + tp),
        abnormal_share_test=_ratio(tp + fn, total),
        trees=int(run.get("trees", 0)),
        seed=int(run.get("seed", 0)),
        vector_indexer=bool(run.get("vector_indexer", True)),
    )


def build_pipeline(trees: int, seed: int, vector_indexer: bool = True) -> Pipeline:
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import MinMaxScaler, StringIndexer, VectorAssembler, VectorIndexer

    stages = [
        StringIndexer(inputCol="car_model", outputCol="car_model_n", handleInvalid="keep"),
        StringIndexer(inputCol="engine", outputCol="engine_n", handleInvalid="keep"),
        StringIndexer(inputCol="break", outputCol="break_n", handleInvalid="keep"),
        VectorAssembler(inputCols=list(FEATURES), outputCol="raw_features", handleInvalid="skip"),
        MinMaxScaler(inputCol="raw_features", outputCol="scaled_features"),
    ]
    if vector_indexer:
        stages.append(
            VectorIndexer(
                inputCol="scaled_features", outputCol="features", maxCategories=MAX_CATEGORIES, handleInvalid="keep"
            )
        )
    features = "features" if vector_indexer else "scaled_features"
    stages.append(RandomForestClassifier(labelCol="label", featuresCol=features, numTrees=trees, seed=seed))
    return Pipeline(stages=stages)


def prepare(frame: DataFrame) -> DataFrame:
    """Typed columns and ``label`` = 1.0 for abnormal (the book's LibSVM convention)."""
    from pyspark.sql import functions as F

    for column in NUMERIC:
        frame = frame.withColumn(column, F.col(column).cast("double"))
    return frame.withColumn("label", F.when(F.col("status") == ABNORMAL, 1.0).otherwise(0.0))


def train_and_evaluate(
    frame: DataFrame, trees: int = 5, seed: int = 42, test_share: float = 0.3, vector_indexer: bool = True
) -> tuple[PipelineModel, ClassificationMetrics]:
    data = prepare(frame).cache()
    train, test = data.randomSplit([1 - test_share, test_share], seed=seed)
    model = build_pipeline(trees, seed, vector_indexer).fit(train)
    predicted = model.transform(test)
    counts = {
        (row["label"], row["prediction"]): row["count"]
        for row in predicted.groupBy("label", "prediction").count().collect()
    }
    metrics = metrics_from_counts(
        tp=counts.get((1.0, 1.0), 0),
        fp=counts.get((0.0, 1.0), 0),
        tn=counts.get((0.0, 0.0), 0),
        fn=counts.get((1.0, 0.0), 0),
        rows_train=train.count(),
        trees=trees,
        seed=seed,
        vector_indexer=vector_indexer,
    )
    data.unpersist()
    return model, metrics
