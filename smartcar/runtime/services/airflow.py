"""Airflow 3 as separate processes: api-server, scheduler, dag-processor, triggerer (and Celery workers).

Not ``airflow standalone``: it binds log servers on 0.0.0.0 and opens an admin UI. We run the
components ourselves, the metadata in the platform's PostgreSQL (its own database and user, see
``smartcar.airflow.environment.metadata_db_url``), the log servers off. Two switches
(docs/airflow-distributed.md): ``SMARTCAR_AIRFLOW_EXECUTOR`` ``local`` (LocalExecutor) or ``celery``
(two ``airflow celery worker`` processes and, unless ``SMARTCAR_AIRFLOW_BROKER_URL`` names one, a
password-protected Redis of Airflow's own as the broker); ``SMARTCAR_AIRFLOW_AUTH`` ``simple`` (the
simple auth manager writes generated passwords to a file) or ``fab`` (FAB users created here from
the settings, passwords generated into the home's secrets). The UI always asks for a login. SQLite,
Airflow's development default, answered the e2e test's REST calls with HTTP 500 while the scheduler,
triggerer and tasks wrote at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from smartcar.airflow.environment import (
    airflow_env,
    airflow_home,
    broker_password,
    fab_password_file,
    simple_passwords_file,
)
from smartcar.runtime.health import port_open
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.runtime.services.redis import redis_binary
from smartcar.settings import Settings


def airflow_cli() -> list[str]:
    return [sys.executable, "-m", "airflow"]


def _run_step(argv: list[str], settings: Settings, failed: str, timeout: float) -> None:
    """Run a one-off Airflow step in Airflow's environment; its output's end names what went wrong."""
    result = subprocess.run(
        argv, env={**os.environ, **airflow_env(settings)}, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise ServiceError(f"{failed}: {(result.stderr or result.stdout).strip()[-1200:]}")


def migrate_metadata_db(settings: Settings) -> None:
    """``airflow db migrate`` (idempotent; fast when the schema is current)."""
    _run_step([*airflow_cli(), "db", "migrate"], settings, "airflow db migrate failed", timeout=600)


CELERY_WORKERS = 2
WORKER_CONCURRENCY = 2
"""Task slots per worker: two workers of two match ``AIRFLOW__CORE__PARALLELISM`` (4) on a 2-core machine,
whose tasks mostly wait on HiveServer2, HBase or Spark rather than compute themselves."""


def ensure_fab_users(settings: Settings) -> None:
    """Create or correct the FAB Admin and Viewer of the settings (``smartcar.airflow.fab_users``)."""
    _run_step([sys.executable, "-m", "smartcar.airflow.fab_users"], settings, "creating the FAB users failed", 300)


def admin_password(settings: Settings) -> str | None:
    """The generated admin password, once written (by the api-server, or by ``up`` for FAB)."""
    return user_password(settings, settings.airflow_admin_user)


def user_password(settings: Settings, user: str) -> str | None:
    """The generated password of a platform login (admin or the read-only viewer) under either auth manager."""
    if settings.airflow_auth == "fab":
        try:
            return fab_password_file(settings, user).read_text().strip() or None
        except (OSError, ValueError):
            return None
    try:
        return json.loads(simple_passwords_file(settings).read_text()).get(user)
    except (OSError, ValueError):
        return None


def password_location(settings: Settings) -> Path:
    """Where the logins' passwords are kept: the simple auth manager's file, or the FAB secrets folder."""
    if settings.airflow_auth == "fab":
        return fab_password_file(settings, settings.airflow_admin_user).parent
    return simple_passwords_file(settings)


def broker_process(settings: Settings) -> ProcessSpec:
    """Airflow's own Redis as the Celery broker: loopback, password from a 0600 config file (not argv).

    No persistence: a message lost with the broker is a queued task instance, which the scheduler
    queues again after ``[scheduler] task_queued_timeout``.
    """
    state = airflow_home(settings) / "broker"
    state.mkdir(parents=True, exist_ok=True)
    conf = state / "redis.conf"
    conf.write_text(f"requirepass {broker_password(settings)}\n")
    conf.chmod(0o600)
    argv = [str(redis_binary()), str(conf), "--bind", "127.0.0.1", "--port", str(settings.airflow_broker_port)]
    argv += ["--dir", str(state), "--save", "", "--appendonly", "no", "--daemonize", "no", "--set-proc-title", "no"]
    return ProcessSpec("airflow-broker", argv)


class AirflowService(Service):
    name = "airflow"
    start_timeout = 180.0
    requires = ("postgres",)
    stops_last = ("airflow-api-server", "airflow-broker")
    """A running task's supervisor reports its final state through the api-server's execution API:
    signalled together, the tasks retried against a closed port until SIGKILL (seen: 4 of 11
    processes after the README's first day) and stayed "running" in the metadata database. The
    Celery workers acknowledge their messages to the broker while they shut down."""

    def state_dir(self, settings: Settings) -> Path:
        return airflow_home(settings)

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        migrate_metadata_db(settings)
        if settings.airflow_auth == "fab":
            ensure_fab_users(settings)

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        env = airflow_env(settings)
        cli = airflow_cli()
        host, port = self.endpoint(settings)
        return [
            ProcessSpec("airflow-api-server", [*cli, "api-server", "--host", host, "--port", str(port)], env=env),
            ProcessSpec("airflow-scheduler", [*cli, "scheduler", "--skip-serve-logs"], env=env),
            ProcessSpec("airflow-dag-processor", [*cli, "dag-processor"], env=env),
            ProcessSpec("airflow-triggerer", [*cli, "triggerer", "--skip-serve-logs"], env=env),
            *self.celery_processes(settings, env),
        ]

    def celery_processes(self, settings: Settings, env: dict[str, str]) -> list[ProcessSpec]:
        """The broker (unless external) and the workers, when the executor is Celery.

        ``--skip-serve-logs``: the workers write task logs to the log folder the api-server reads.
        Each worker has its own Celery host name, as two machines would.
        """
        if settings.airflow_executor != "celery":
            return []
        specs = [] if settings.airflow_broker_url else [broker_process(settings)]
        for i in range(1, CELERY_WORKERS + 1):
            argv = [*airflow_cli(), "celery", "worker", "--celery-hostname", f"worker{i}@%h"]
            argv += ["--concurrency", str(WORKER_CONCURRENCY), "--skip-serve-logs"]
            specs.append(ProcessSpec(f"airflow-worker-{i}", argv, env=env))
        return specs

    def healthy(self, settings: Settings) -> bool:
        try:
            with urllib.request.urlopen(f"{settings.airflow_url}/api/v2/monitor/health", timeout=3) as resp:
                body = json.loads(resp.read())
        except (OSError, ValueError):
            return False
        if body.get("metadatabase", {}).get("status") != "healthy":
            return False
        if settings.airflow_executor == "celery" and not settings.airflow_broker_url:
            return port_open("127.0.0.1", settings.airflow_broker_port)
        return True
