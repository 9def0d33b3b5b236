"""The export DAG serializes with the validation task's "Data Docs" link, as the api-server needs it.

The round trip runs in a fresh interpreter, as in the api-server, which loads the plugins once at its
start: in the whole session's process, where earlier tests have run DAGs in process, the link was
once missing after deserialization (fresh-clone run of issue 24; not reproduced alone or after any
single one of the new integration modules), so the check is kept apart from that process state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

ROUND_TRIP = """
import importlib.util, json, sys
from airflow.serialization.serialized_objects import DagSerialization
spec = importlib.util.spec_from_file_location("_ser_smartcar_export", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
restored = DagSerialization.from_dict(DagSerialization.to_dict(module.dag))
print(json.dumps({
    "links": list(restored.get_task("validate_marts").extra_links),
    "upstream": sorted(restored.get_task("export_marts").upstream_task_ids),
}))
"""


def test_export_dag_round_trips_with_the_data_docs_link() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, str(REPO / "dags" / "smartcar_export.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert "Data Docs" in found["links"]
    assert found["upstream"] == ["validate_marts", "working_days"]
