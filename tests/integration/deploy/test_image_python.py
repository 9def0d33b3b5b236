"""The Python side of the platform image, built the way the Dockerfile builds it, runs the stack's Airflow.

No Docker engine is needed: the Dockerfile's last ``RUN uv sync`` line, read from the Dockerfile itself,
installs into a fresh ``UV_PROJECT_ENVIRONMENT``; then that environment's Python, started through the image's
entrypoint,

* parses ``dags/``, imports the Celery executor app the workers' health check pings and the auth manager the
  compose file configures (FAB);
* runs the compose file's ``airflow-init`` command, exactly as ``docker-compose config`` resolves it with a
  generated ``.env``, twice against a temporary SQLite database: the migrations (FAB's tables included) and the
  admin user must succeed on a fresh and on an already initialised database, leaving one Admin whose password
  is the one ``.env`` holds at the last start.

A dependency missing from the production extra, or one only the dev or notebooks groups bring, fails here; the
uv cache keeps the sync to seconds after the first run, each ``airflow`` command takes about ten.
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
from tests.unit.deploy.compose import env_values, generate_env, resolved

pytestmark = pytest.mark.integration

PROBE = """
import json
from airflow.api_fastapi.app import get_auth_manager_cls
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.celery.executors.celery_executor import app
bag = DagBag(dag_folder="dags")
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids),
                  "celery_app": app.main, "auth_manager": get_auth_manager_cls().__name__,
                  "conns": sorted(k for k in __import__("os").environ if k.startswith("AIRFLOW_CONN_"))}))
"""

# What the FAB auth manager holds after airflow-init: its users, and whether .env's password logs the admin in.
USERS_PROBE = """
import json, os, sqlite3
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
name, password = os.environ["SMARTCAR_AIRFLOW_ADMIN_USER"], os.environ["AIRFLOW_ADMIN_PASSWORD"]
with get_application_builder() as appbuilder, appbuilder.app.test_request_context():  # a login is a request
    users = {u.username: sorted(r.name for r in u.roles) for u in appbuilder.sm.get_all_users()}
    login = appbuilder.sm.auth_user_db(name, password) is not None
    previous = appbuilder.sm.auth_user_db(name, os.environ["PREVIOUS_PASSWORD"]) is not None
db = sqlite3.connect(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))
fab_head = db.execute("select version_num from alembic_version_fab").fetchall()
print(json.dumps({"users": users, "login": login, "previous": previous, "fab_head": fab_head}))
"""

# Packages only the dev and notebooks groups bring: none may reach the image.
NOT_IN_IMAGE = ("pytest", "playwright", "ruff", "ipykernel", "matplotlib", "nbclient")


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


@pytest.fixture(scope="module")
def image_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The image's environment (venv) and the host environment without the caller's settings."""
    venv = tmp_path_factory.mktemp("image") / "venv"
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
    print(f"uv sync {' '.join(dockerfile_sync())}: {time.monotonic() - started:.1f} s")
    site = venv / "lib" / "python3.11" / "site-packages"
    leaked = [name for name in NOT_IN_IMAGE if (site / name).exists()]
    assert leaked == [], f"dev/notebooks groups leaked into the image: {leaked}"
    return venv, env


def _in_image(venv: Path, environment: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    """``command`` through the image's entrypoint, with the image's ``PATH``."""
    env = {**environment, "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    entrypoint = [str(venv / "bin" / "python"), "-m", "smartcar.airflow.container_entrypoint"]
    return subprocess.run([*entrypoint, *command], cwd=REPO_ROOT, env=env, capture_output=True, text=True)


def test_production_environment_loads_every_dag(image_env: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    venv, env = image_env
    started = time.monotonic()
    image_env_vars = {
        **env,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "SMARTCAR_HOME": str(tmp_path / "state"),
        "SMARTCAR_KAFKA_BOOTSTRAP": "kafka:9092",
        "SMARTCAR_HIVE_HOST": "hiveserver2",
    }
    out = _in_image(venv, image_env_vars, "python", "-c", PROBE)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"DAG load {time.monotonic() - started:.1f} s")
    assert result["errors"] == {}, "\n".join(f"{k}:\n{v}" for k, v in result["errors"].items())
    dag_files = [p for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_")]
    assert len(result["dags"]) >= len(dag_files), result["dags"]
    assert result["celery_app"]
    assert result["auth_manager"] == "FabAuthManager"
    assert "AIRFLOW_CONN_HIVESERVER2_DEFAULT" in result["conns"]


def test_airflow_init_migrates_and_creates_the_admin_idempotently(
    image_env: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = image_env
    env_file = generate_env(tmp_path)
    secrets = env_values(env_file)
    init = resolved(env_file)["services"]["airflow-init"]
    environment = {
        **env,
        **{k: str(v) for k, v in init["environment"].items()},
        # the stack's PostgreSQL and volumes are not here: a SQLite file and temporary directories instead
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "SMARTCAR_HOME": str(tmp_path / "state"),
        "SMARTCAR_WAREHOUSE_URI": (tmp_path / "warehouse").as_uri(),
    }
    assert environment["AIRFLOW__CORE__AUTH_MANAGER"].endswith(".FabAuthManager")
    # `config` prints the file's escaped $$ as it is; Compose hands the container a single $
    command = [part.replace("$$", "$") for part in init["command"]]
    # the second start comes after the admin password was changed in .env: that one must be in force
    rotated = secrets["AIRFLOW_ADMIN_PASSWORD"][::-1]
    for attempt, password in (("a fresh database", secrets["AIRFLOW_ADMIN_PASSWORD"]), ("its second start", rotated)):
        started = time.monotonic()
        run = _in_image(venv, {**environment, "AIRFLOW_ADMIN_PASSWORD": password}, *command)
        assert run.returncode == 0, f"airflow-init on {attempt}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        print(f"airflow-init on {attempt}: {time.monotonic() - started:.1f} s")
        assert password not in run.stdout + run.stderr

    checked = {**environment, "AIRFLOW_ADMIN_PASSWORD": rotated, "PREVIOUS_PASSWORD": secrets["AIRFLOW_ADMIN_PASSWORD"]}
    probe = _in_image(venv, checked, "python", "-c", USERS_PROBE)
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["users"] == {secrets["AIRFLOW_ADMIN_USER"]: ["Admin"]}
    assert result["login"] is True and result["previous"] is False
    assert len(result["fab_head"]) == 1, "airflow db migrate did not run FAB's migrations"
