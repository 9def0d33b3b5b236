"""MLflow tracking of the ML jobs: every run logged with its data dates; registration only above the bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ml_jobs import _random_rows, _write_mart

from smartcar.ml import jobs, tracking
from smartcar.settings import Settings

pytestmark = pytest.mark.integration


def test_runs_are_logged_and_only_passing_models_registered(tmp_path: Path) -> None:
    lenient = Settings(home=tmp_path, ml_register_min_accuracy=0.5, ml_register_min_recall_abnormal=0.0)
    strict = Settings(home=tmp_path, ml_register_min_accuracy=0.9999, ml_register_min_recall_abnormal=0.0)
    _write_mart(lenient, "20200322", _random_rows(3000, seed=7))

    passed = jobs.run_classification("20200322", days=2, trees=5, seed=3, settings=lenient)
    failed = jobs.run_classification("20200322", days=2, trees=5, seed=3, settings=strict)

    assert passed["tracking"]["registered_version"] == 1 and passed["tracking"]["failed_thresholds"] == []
    assert failed["tracking"]["registered_version"] is None
    assert failed["tracking"]["failed_thresholds"] == [f"accuracy {failed['accuracy']} < 0.9999"]

    mlflow = tracking.client(lenient)
    logged = mlflow.get_run(failed["tracking"]["run_id"])
    assert logged.data.params["from_date"] == "20200321" and logged.data.params["to_date"] == "20200322"
    assert logged.data.params["trees"] == "5" and logged.data.params["vector_indexer"] == "True"
    assert logged.data.metrics["accuracy"] == pytest.approx(failed["accuracy"])
    assert logged.data.metrics["recall_normal"] == pytest.approx(failed["recall_normal"])
    assert logged.data.tags["registered"].startswith("no: accuracy")
    assert [a.path for a in mlflow.list_artifacts(logged.info.run_id)] == ["model"], "the model is kept either way"
    versions = mlflow.search_model_versions(f"name='{tracking.CLASSIFIER_MODEL}'")
    assert [(int(v.version), v.run_id) for v in versions] == [(1, passed["tracking"]["run_id"])]
    assert (tmp_path / "mlflow" / "mlflow.db").is_file(), "the store lives under SMARTCAR_HOME"
