"""Every ML run in MLflow: parameters, the data dates it trained on, metrics, the model; gated registration.

The tracking store is the one data teams already read (the MLflow UI, ``mlflow.search_runs``). A model
version is registered only when every threshold of the config is met, so "the registered model" always
means one that passed the bar; a run below it stays logged, with the reason as a tag.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smartcar.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

log = logging.getLogger(__name__)
CLASSIFIER_MODEL = "smartcar-status-classifier"


@dataclass
class TrackedRun:
    run_id: str
    experiment: str
    registered_version: int | None
    """The model version created for this run, or None when it did not pass the thresholds."""
    failed_thresholds: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "experiment": self.experiment,
            "registered_version": self.registered_version,
            "failed_thresholds": self.failed_thresholds,
        }


def client(settings: Settings) -> MlflowClient:
    """A client on the configured store (tracking and registry in the same place)."""
    from mlflow import MlflowClient

    settings.mlflow_path.mkdir(parents=True, exist_ok=True)
    return MlflowClient(tracking_uri=settings.mlflow_uri, registry_uri=settings.mlflow_uri)


def _experiment_id(mlflow: MlflowClient, name: str, settings: Settings) -> str:
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    artifacts = (settings.mlflow_path / "artifacts" / name).as_uri() if not settings.mlflow_tracking_uri else None
    return mlflow.create_experiment(name, artifact_location=artifacts)


def failed_thresholds(metrics: dict[str, object], thresholds: dict[str, float]) -> list[str]:
    """The ``metric >= threshold`` conditions that do not hold (a missing metric fails)."""
    return [
        f"{name} {metrics.get(name)} < {bar}"
        for name, bar in thresholds.items()
        if not isinstance(metrics.get(name), int | float) or float(metrics[name]) < bar  # type: ignore[arg-type]
    ]


def track(
    experiment: str,
    run_name: str,
    params: dict[str, object],
    metrics: dict[str, object],
    model_dir: Path | None = None,
    register_as: str | None = None,
    thresholds: dict[str, float] | None = None,
    *,
    settings: Settings,
) -> TrackedRun:
    """Log one run; register ``model_dir`` as a version of ``register_as`` if ``thresholds`` all pass."""
    mlflow = client(settings)
    run = mlflow.create_run(_experiment_id(mlflow, experiment, settings), run_name=run_name)
    run_id = run.info.run_id
    for key, value in params.items():
        mlflow.log_param(run_id, key, value)
    for key, value in metrics.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            mlflow.log_metric(run_id, key, float(value))
    failed = failed_thresholds(metrics, thresholds or {})
    version = None
    if model_dir is not None:
        from mlflow.exceptions import MlflowException

        mlflow.log_artifacts(run_id, str(model_dir), artifact_path="model")
        if register_as is not None and not failed:
            try:
                mlflow.get_registered_model(register_as)
            except MlflowException:  # RESOURCE_DOES_NOT_EXIST on every store (SQL, REST)
                mlflow.create_registered_model(register_as)
            created = mlflow.create_model_version(register_as, f"{run.info.artifact_uri}/model", run_id=run_id)
            version = int(created.version)
    mlflow.set_tag(run_id, "registered", str(version) if version else f"no: {'; '.join(failed) or 'not a model'}")
    mlflow.set_terminated(run_id)
    if failed:
        log.warning("%s run %s not registered: %s", experiment, run_id, "; ".join(failed))
    return TrackedRun(run_id, experiment, version, failed)
