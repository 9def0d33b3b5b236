"""The export DAG serializes with the validation task's "Data Docs" link, as the api-server needs it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_export_dag_round_trips_with_the_data_docs_link() -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    spec = importlib.util.spec_from_file_location("_ser_smartcar_export", REPO / "dags" / "smartcar_export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    restored = DagSerialization.from_dict(DagSerialization.to_dict(module.dag))
    task = restored.get_task("validate_marts")
    assert "Data Docs" in task.extra_links
    assert restored.get_task("export_marts").upstream_task_ids == {"validate_marts", "working_days"}
