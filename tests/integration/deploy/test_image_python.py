"""The Python side of the platform image, built the way the Dockerfile builds it, loads every DAG.

No Docker engine is needed: the Dockerfile's last ``RUN uv sync`` line, read from the Dockerfile itself,
installs into a fresh ``UV_PROJECT_ENVIRONMENT``, then that environment's Python, started through the image's
entrypoint, parses ``dags/`` and imports the Celery executor app the workers' health check pings. A
dependency missing from the production extra, or one only the dev or notebooks groups bring, fails here; the
uv cache keeps it to about a minute after the first run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from smartcar.settings import REPO_ROOT

pytestmark = pytest.mark.integration

PROBE = """
import json
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.celery.executors.celery_executor import app
bag = DagBag(dag_folder="dags")
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids),
                  "celery_app": app.main, "conns": sorted(k for k in __import__("os").environ if k.startswith("AIRFLOW_CONN_"))}))
"""


def _uv() -> str:
    local = REPO_ROOT / ".tools" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("no uv: run `make install` (it puts uv under .tools/bin)")
    return found


def dockerfile_sync() -> list[str]:
    """The arguments of the Dockerfile's final ``RUN uv sync`` (the one that installs the project too)."""
    lines = (REPO_ROOT / "Dockerfile").read_text().splitlines()
    syncs = [shlex.split(ln.removeprefix("RUN ")) for ln in lines if ln.startswith("RUN uv sync ")]
    assert syncs and "--no-install-project" not in syncs[-1], syncs
    return syncs[-1][2:]


# Packages only the dev and notebooks groups bring: none may reach the image.
NOT_IN_IMAGE = ("pytest", "playwright", "ruff", "ipykernel", "matplotlib", "nbclient")


def test_production_environment_loads_every_dag(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCAR_", "AIRFLOW", "VIRTUAL_ENV"))}
    started = time.monotonic()
    sync = subprocess.run(
        [_uv(), "sync", *dockerfile_sync()],
        cwd=REPO_ROOT,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
        capture_output=True,
        text=True,
    )
    assert sync.returncode == 0, sync.stderr[-3000:]
    synced = time.monotonic() - started
    site = venv / "lib" / "python3.11" / "site-packages"
    leaked = [name for name in NOT_IN_IMAGE if (site / name).exists()]
    assert leaked == [], f"dev/notebooks groups leaked into the image: {leaked}"

    image_env = {
        **env,
        "PATH": f"{venv / 'bin'}:{env['PATH']}",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "SMARTCAR_HOME": str(tmp_path / "state"),
        "SMARTCAR_KAFKA_BOOTSTRAP": "kafka:9092",
        "SMARTCAR_HIVE_HOST": "hiveserver2",
    }
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "smartcar.container_entrypoint", "python", "-c", PROBE],
        cwd=REPO_ROOT,
        env=image_env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"uv sync {synced:.1f} s, DAG load {time.monotonic() - started - synced:.1f} s")
    assert result["errors"] == {}, "\n".join(f"{k}:\n{v}" for k, v in result["errors"].items())
    dag_files = [p for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_")]
    assert len(result["dags"]) >= len(dag_files), result["dags"]
    assert result["celery_app"]
    assert "AIRFLOW_CONN_HIVESERVER2_DEFAULT" in result["conns"]
