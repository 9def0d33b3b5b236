"""Airflow 3 as four processes: api-server, scheduler, dag-processor and triggerer.

Not ``airflow standalone``: it binds log servers on 0.0.0.0 and opens an admin UI. We run the
components ourselves with LocalExecutor, the metadata in the platform's PostgreSQL (its own
database and user, see ``smartcar.airflow.environment.metadata_db_url``), the log servers off, and
Airflow's simple auth manager, whose generated admin password is printed once by ``smartcar up``
(the UI always asks for a login). SQLite, Airflow's development default, answered the e2e test's
REST calls with HTTP 500 while the scheduler, triggerer and tasks wrote at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from smartcar.airflow.environment import airflow_env, airflow_home
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings


def airflow_cli() -> list[str]:
    return [sys.executable, "-m", "airflow"]


def migrate_metadata_db(settings: Settings) -> None:
    """``airflow db migrate`` (idempotent; fast when the schema is current)."""
    result = subprocess.run(
        [*airflow_cli(), "db", "migrate"],
        env={**os.environ, **airflow_env(settings)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise ServiceError(f"airflow db migrate failed: {(result.stderr or result.stdout).strip()[-1200:]}")


def admin_password(settings: Settings) -> str | None:
    """The generated admin password (simple auth manager), once the api-server has written it."""
    return user_password(settings, settings.airflow_admin_user)


def user_password(settings: Settings, user: str) -> str | None:
    """The generated password of a simple-auth-manager user (admin or the read-only viewer)."""
    path = airflow_home(settings) / "simple_auth_manager_passwords.json"
    try:
        return json.loads(path.read_text()).get(user)
    except (OSError, ValueError):
        return None


class AirflowService(Service):
    name = "airflow"
    start_timeout = 180.0
    requires = ("postgres",)
    stops_last = ("airflow-api-server",)
    """A running task's supervisor reports its final state through the api-server's execution API:
    signalled together, the tasks retried against a closed port until SIGKILL (seen: 4 of 11
    processes after the README's first day) and stayed "running" in the metadata database."""

    def state_dir(self, settings: Settings) -> Path:
        return airflow_home(settings)

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        migrate_metadata_db(settings)

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        env = airflow_env(settings)
        cli = airflow_cli()
        host, port = self.endpoint(settings)
        return [
            ProcessSpec("airflow-api-server", [*cli, "api-server", "--host", host, "--port", str(port)], env=env),
            ProcessSpec("airflow-scheduler", [*cli, "scheduler", "--skip-serve-logs"], env=env),
            ProcessSpec("airflow-dag-processor", [*cli, "dag-processor"], env=env),
            ProcessSpec("airflow-triggerer", [*cli, "triggerer", "--skip-serve-logs"], env=env),
        ]

    def healthy(self, settings: Settings) -> bool:
        try:
            with urllib.request.urlopen(f"{settings.airflow_url}/api/v2/monitor/health", timeout=3) as resp:
                body = json.loads(resp.read())
        except (OSError, ValueError):
            return False
        return body.get("metadatabase", {}).get("status") == "healthy"
