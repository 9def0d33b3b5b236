"""The environment every Airflow process of the platform runs with (runtime, tests, CI alike).

Airflow is configured only through ``AIRFLOW__*`` variables built here from the settings, so the
api-server, scheduler, dag-processor, triggerer and ``dag.test()`` in the tests agree on the
metadata DB, the DAG and plugin folders, the secrets and the connections.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from smartcar.airflow.connections import connection_env
from smartcar.settings import REPO_ROOT, Settings


def airflow_home(settings: Settings) -> Path:
    return settings.home / "airflow"


def _persistent_secret(path: Path, factory) -> str:
    """A secret generated once and kept in the state dir (all components must share it)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = factory()
    path.write_text(value)
    path.chmod(0o600)
    return value


def metadata_db_url(settings: Settings) -> str:
    """Airflow's metadata database: ``SMARTCAR_AIRFLOW_DB_URL``, else database and user ``airflow`` on the
    export database's PostgreSQL with a password generated once (the postgres service creates both)."""
    if settings.airflow_db_url:
        return settings.airflow_db_url
    host, port = settings.export_db_host_port
    password = _persistent_secret(
        airflow_home(settings) / "secrets" / "metadata_db_password", lambda: secrets.token_urlsafe(24)
    )
    return f"postgresql+psycopg2://airflow:{password}@{host}:{port}/airflow"


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def airflow_env(settings: Settings, executor: str = "LocalExecutor") -> dict[str, str]:
    home = airflow_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    secrets_dir = home / "secrets"
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": _persistent_secret(secrets_dir / "fernet_key", _fernet_key),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{settings.airflow_admin_user}:admin,{settings.airflow_viewer_user}:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{settings.airflow_url}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_db_url(settings),
        # four components plus task processes share the PostgreSQL server's connection limit
        "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": "3",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": "7",
        "AIRFLOW__API__HOST": settings.airflow_host,
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": settings.airflow_url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": _persistent_secret(
            secrets_dir / "jwt_secret", lambda: secrets.token_urlsafe(32)
        ),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "0",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__WEBSERVER__EXPOSE_CONFIG": "False",
        # local Spark sessions of tasks (quality checks, ML) stay on loopback in the embedded default
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    # Every SMARTCAR_* endpoint reaches the task processes unchanged.
    env.update({f"SMARTCAR_{k.upper()}": str(v) for k, v in settings.model_dump().items() if v is not None and v != ""})
    env.update(connection_env(settings))
    return env
