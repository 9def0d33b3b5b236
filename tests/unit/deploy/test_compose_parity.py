"""Both worlds derive their Airflow connections from the same ``SMARTCAR_*`` values, through one function.

The compose file sets only ``SMARTCAR_*`` variables; the image's entrypoint (``smartcar.airflow.container_entrypoint``)
runs :func:`smartcar.airflow.connections.connection_env` on them at start. Here the entrypoint runs for real,
with exactly the environment Compose resolves for an Airflow service, and the ``AIRFLOW_CONN_*`` its command
sees must equal what the settings derive, and point at the stack's services with the passwords of ``.env``.
The UI's users are the FAB auth manager's, in Airflow's database; only ``airflow-init`` sees the admin password.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smartcar.airflow.connections import connection_env
from smartcar.settings import REPO_ROOT, Settings
from tests.unit.deploy.compose import ENV_EXAMPLE, env_values, generate_env, resolved

SHOW_CONNS = (
    "import json, os; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('AIRFLOW_CONN_')}))"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, str]]:
    env_file = generate_env(tmp_path_factory.mktemp("env"))
    return resolved(env_file), env_values(env_file)


def _entrypoint(environment: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    env = {**environment, "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "smartcar.airflow.container_entrypoint", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_of(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    import os

    for key in [k for k in os.environ if k.startswith("SMARTCAR_")]:
        monkeypatch.delenv(key)
    for key, value in environment.items():
        if key.startswith("SMARTCAR_"):
            monkeypatch.setenv(key, value)
    return Settings()


def test_every_smartcar_variable_is_a_setting(stack: tuple[dict, dict[str, str]]) -> None:
    config, _ = stack
    fields = set(Settings.model_fields)
    for name, svc in config["services"].items():
        for key in svc.get("environment") or {}:
            if key.startswith("SMARTCAR_"):
                assert key.removeprefix("SMARTCAR_").lower() in fields, f"{name}: {key} is no Settings field"


@pytest.mark.parametrize("service", ["airflow-scheduler", "airflow-worker", "airflow-apiserver"])
def test_compose_connections_are_the_settings_connections(
    stack: tuple[dict, dict[str, str]], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, secrets = stack
    environment = {k: str(v) for k, v in config["services"][service]["environment"].items()}
    assert not any(k.startswith("AIRFLOW_CONN_") for k in environment)
    result = _entrypoint(environment, "python", "-c", SHOW_CONNS)
    assert result.returncode == 0, result.stderr
    produced = json.loads(result.stdout)
    assert produced == connection_env(_settings_of(environment, monkeypatch))

    conns = {k.removeprefix("AIRFLOW_CONN_").lower(): json.loads(v) for k, v in produced.items()}
    services = config["services"]
    assert conns["kafka_default"]["extra"]["bootstrap.servers"] == "kafka-1:9092,kafka-2:9092,kafka-3:9092"
    for node in (1, 2, 3):
        assert f"INTERNAL://kafka-{node}:9092" in services[f"kafka-{node}"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert conns["redis_default"]["host"] == "redis" and conns["redis_default"]["password"] == secrets["REDIS_PASSWORD"]
    assert conns["postgres_default"]["host"] == "postgres"
    assert conns["postgres_default"]["password"] == secrets["EXPORT_DB_PASSWORD"]
    assert services["postgres"]["environment"]["EXPORT_DB_PASSWORD"] == secrets["EXPORT_DB_PASSWORD"]
    for conn_id in ("hiveserver2_default", "impala_default"):
        assert conns[conn_id]["host"] == "hiveserver2" and conns[conn_id]["port"] == 10000
    assert conns["hiveserver2_default"]["extra"]["auth_mechanism"] == "NONE"  # PLAIN in PyHive's words


def test_celery_broker_and_export_target_use_the_env_passwords(stack: tuple[dict, dict[str, str]]) -> None:
    config, secrets = stack
    env = config["services"]["airflow-worker"]["environment"]
    assert urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).password == secrets["REDIS_PASSWORD"]
    assert urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).password == secrets["AIRFLOW_DB_PASSWORD"]
    assert config["services"]["redis"]["environment"]["REDISCLI_AUTH"] == secrets["REDIS_PASSWORD"]
    assert env["AIRFLOW__API__SECRET_KEY"] == secrets["AIRFLOW_API_SECRET_KEY"]


def test_entrypoint_refuses_the_example_placeholders() -> None:
    environment = {k: str(v) for k, v in resolved(ENV_EXAMPLE)["services"]["airflow-scheduler"]["environment"].items()}
    result = _entrypoint(environment, "true")
    assert result.returncode != 0
    assert "AIRFLOW__CORE__FERNET_KEY" in result.stderr and "SMARTCAR_REDIS_URL" in result.stderr


AIRFLOW_SERVICES = ("airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker")  # fmt: skip
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"


def test_every_airflow_service_uses_the_fab_auth_manager(stack: tuple[dict, dict[str, str]]) -> None:
    config, _ = stack
    for name in AIRFLOW_SERVICES:
        environment = config["services"][name]["environment"]
        assert environment["AIRFLOW__CORE__AUTH_MANAGER"] == FAB, name
        assert not any(k.startswith("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER") for k in environment), name


def test_only_airflow_init_gets_the_admin_password(stack: tuple[dict, dict[str, str]]) -> None:
    """airflow-init migrates (FAB's tables too) and creates the admin of .env; no long-running service holds it."""
    config, secrets = stack
    init = config["services"]["airflow-init"]
    assert init["environment"]["AIRFLOW_ADMIN_PASSWORD"] == secrets["AIRFLOW_ADMIN_PASSWORD"]
    script = init["command"][-1]
    assert script.splitlines()[0] == "airflow db migrate"
    assert "airflow users create --role Admin" in script and "airflow users reset-password" in script
    # the container's own variables ($$ in the file and in `config`'s output, a single $ in the container)
    assert '"$$SMARTCAR_AIRFLOW_ADMIN_USER"' in script and '"$$AIRFLOW_ADMIN_PASSWORD"' in script
    for name in AIRFLOW_SERVICES[1:]:
        assert "AIRFLOW_ADMIN_PASSWORD" not in config["services"][name]["environment"], name
        assert config["services"][name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_the_embedded_default_keeps_the_simple_auth_manager(tmp_path: Path) -> None:
    from smartcar.airflow.environment import airflow_env

    env = airflow_env(Settings(home=tmp_path))
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS" in env
    assert env.get("AIRFLOW__CORE__AUTH_MANAGER", "SimpleAuthManager").endswith("SimpleAuthManager")


def test_hive_and_platform_share_one_warehouse(stack: tuple[dict, dict[str, str]]) -> None:
    """Managed marts land where the quality checks read them: Hive's warehouse roots are the platform's."""
    config, _ = stack
    site = ET.parse(REPO_ROOT / "docker" / "hive" / "hive-site.xml").getroot()
    props = {p.findtext("name"): p.findtext("value") for p in site.iter("property")}
    platform = config["services"]["airflow-worker"]["environment"]["SMARTCAR_WAREHOUSE_URI"]
    assert props["hive.metastore.warehouse.dir"] == platform
    assert props["hive.metastore.warehouse.external.dir"] == platform
    mount = urlsplit(platform).path
    for name in ("hive-metastore", "hiveserver2", "airflow-worker"):
        volumes = [str(v) for v in config["services"][name]["volumes"]]
        assert any(v.startswith(f"warehouse:{mount}") for v in volumes), f"{name} does not mount the warehouse"
    assert props["hive.server2.authentication"] == "NONE"
    assert config["services"]["airflow-worker"]["environment"]["SMARTCAR_HIVE_AUTH_MECHANISM"] == "PLAIN"
