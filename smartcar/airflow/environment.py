"""The environment every Airflow process of the platform runs with (runtime, tests, CI alike).

Airflow is configured only through ``AIRFLOW__*`` variables built here from the settings, so the
api-server, scheduler, dag-processor, triggerer and ``dag.test()`` in the tests agree on the
metadata DB, the DAG and plugin folders, the secrets and the connections.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from smartcar.airflow.connections import connection_env
from smartcar.settings import REPO_ROOT, Settings


def airflow_home(settings: Settings) -> Path:
    return settings.home / "airflow"


def simple_passwords_file(settings: Settings) -> Path:
    """Where the simple auth manager's api-server writes the generated passwords of its users."""
    return airflow_home(settings) / "simple_auth_manager_passwords.json"


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


FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
PAGES_ROLE = "Smartcar pages"
"""A FAB role that may read the plugin list, which the UI needs to show the platform's pages (external views):
FAB grants it to ``Op`` and ``Admin`` only, so a ``Viewer`` alone saw an empty frame where the pages belong."""
FAB_CUSTOM_ROLES = {PAGES_ROLE: [{"action": "can_read", "resource": "Plugins"}]}
FAB_ROLES = {"admin": ("Admin",), "viewer": ("Viewer", PAGES_ROLE)}
"""FAB roles of the platform's two logins (by setting: ``airflow_admin_user``, ``airflow_viewer_user``)."""


def _generated_password() -> str:
    return secrets.token_urlsafe(24)


def broker_password(settings: Settings) -> str:
    """Password of the embedded Celery broker, generated once (the broker's config and every client read it)."""
    return _persistent_secret(airflow_home(settings) / "secrets" / "broker_password", _generated_password)


def broker_url(settings: Settings) -> str:
    """The Celery broker: ``SMARTCAR_AIRFLOW_BROKER_URL``, else Airflow's own Redis on loopback."""
    if settings.airflow_broker_url:
        return settings.airflow_broker_url
    return f"redis://:{broker_password(settings)}@127.0.0.1:{settings.airflow_broker_port}/0"


def fab_users(settings: Settings) -> dict[str, tuple[str, ...]]:
    """FAB roles of each platform login, by user name."""
    return {settings.airflow_admin_user: FAB_ROLES["admin"], settings.airflow_viewer_user: FAB_ROLES["viewer"]}


def fab_password_file(settings: Settings, user: str) -> Path:
    if not user or "/" in user or user.startswith("."):
        raise ValueError(f"Airflow user name {user!r} cannot name a password file")
    return airflow_home(settings) / "secrets" / f"fab_password_{user}"


def fab_password(settings: Settings, user: str) -> str:
    """The generated password of a FAB login, created once and kept in the home's secrets."""
    return _persistent_secret(fab_password_file(settings, user), _generated_password)


def executor_auth_env(settings: Settings) -> dict[str, str]:
    """The executor, auth manager and Celery part of Airflow's environment, from the two switches.

    One function for the embedded runtime and the compose stack (``tests/unit/deploy`` checks that the
    compose file's literal values are what it renders for the compose settings).
    """
    env = {"AIRFLOW__CORE__EXECUTOR": EXECUTORS[settings.airflow_executor]}
    if settings.airflow_executor == "celery":
        env["AIRFLOW__CELERY__BROKER_URL"] = broker_url(settings)
        # task states in the metadata database: no second store to run, back up or secure
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata_db_url(settings)
    if settings.airflow_auth == "fab":
        env["AIRFLOW__CORE__AUTH_MANAGER"] = FAB_AUTH_MANAGER
        env["AIRFLOW__FAB__CUSTOM_ROLES"] = json.dumps(FAB_CUSTOM_ROLES)
    return env


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def airflow_env(settings: Settings) -> dict[str, str]:
    home = airflow_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    secrets_dir = home / "secrets"
    env = {
        **executor_auth_env(settings),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": _persistent_secret(secrets_dir / "fernet_key", _fernet_key),
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
        # signs the FAB login's session cookie (and log-server requests): one value for every component
        "AIRFLOW__API__SECRET_KEY": _persistent_secret(
            secrets_dir / "api_secret_key", lambda: secrets.token_urlsafe(32)
        ),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "0",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__WEBSERVER__EXPOSE_CONFIG": "False",
        # local Spark sessions of tasks (quality checks, ML) stay on loopback in the embedded default
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    if settings.airflow_auth == "simple":
        env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = (
            f"{settings.airflow_admin_user}:admin,{settings.airflow_viewer_user}:viewer"
        )
        env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(simple_passwords_file(settings))
    # Every SMARTCAR_* endpoint reaches the task processes unchanged.
    env.update({f"SMARTCAR_{k.upper()}": str(v) for k, v in settings.model_dump().items() if v is not None and v != ""})
    env.update(connection_env(settings))
    return env
