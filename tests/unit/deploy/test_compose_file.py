"""The compose file is valid Compose, starts only with real secrets from .env, and publishes nothing publicly.

Checked on the file as ``docker-compose config`` resolves it (see ``compose.py``), so anchors, merges and
interpolation are Compose's own, not a re-implementation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.unit.deploy.compose import COMPOSE_FILE, ENV_EXAMPLE, env_values, generate_env, resolved, run_config

STATEFUL = {
    "kafka-1": "/var/lib/kafka/data",
    "kafka-2": "/var/lib/kafka/data",
    "kafka-3": "/var/lib/kafka/data",
    "hbase": "/var/lib/hbase",
    "postgres": "/var/lib/postgresql/data",
    "redis": "/data",
    "hive-metastore": "/opt/warehouse",
    "hiveserver2": "/opt/warehouse",
    "stream-processor": "/opt/smartcar-state",
    "airflow-worker": "/opt/warehouse",
}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return resolved(generate_env(tmp_path_factory.mktemp("env")))


def test_example_env_validates() -> None:
    result = run_config(ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr


def test_without_env_every_secret_is_demanded(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_config(empty)
    assert result.returncode != 0
    assert "in .env" in result.stderr, result.stderr


def test_documented_generator_fills_every_secret(tmp_path: Path) -> None:
    values = env_values(generate_env(tmp_path))
    assert "change-me" not in "".join(values.values())
    assert set(values) == set(env_values(ENV_EXAMPLE))
    Fernet(values["AIRFLOW_FERNET_KEY"].encode())  # a key Airflow accepts
    assert len(set(values.values())) == len(values), "secrets must differ from each other"


def test_secrets_come_only_from_env() -> None:
    text = COMPOSE_FILE.read_text()
    assert "AIRFLOW_CONN_" not in text
    for name in env_values(ENV_EXAMPLE):
        if name != "AIRFLOW_ADMIN_USER":
            assert f"${{{name}:?" in text, f"{name} must be demanded with ${{{name}:?...}}"


def test_every_variable_the_file_reads_is_documented() -> None:
    used = set(re.findall(r"(?<!\$)\$\{(\w+)", COMPOSE_FILE.read_text()))  # $${X} is the container's own
    assert used <= set(env_values(ENV_EXAMPLE)), used - set(env_values(ENV_EXAMPLE))


def test_published_ports_bind_loopback_only(config: dict) -> None:
    published = {name: svc["ports"] for name, svc in config["services"].items() if svc.get("ports")}
    assert set(published) == {"kafka-1", "kafka-2", "kafka-3", "hiveserver2", "airflow-apiserver"}
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_stateful_services_keep_their_data_in_volumes(config: dict) -> None:
    for name, target in STATEFUL.items():
        mounts = [str(v).split(":")[1] for v in config["services"][name].get("volumes", [])]
        assert target in mounts, f"{name} keeps {target} outside a volume"


def test_long_running_services_restart_and_report_health(config: dict) -> None:
    for name, svc in config["services"].items():
        if name == "airflow-init":
            assert svc["restart"] == "no"
            continue
        assert svc.get("restart") == "unless-stopped", name
        if name != "stream-processor":  # a consumer serves nothing to probe; its restart policy covers it
            assert "healthcheck" in svc, f"{name} has no health check"


def test_healthy_conditions_name_services_with_health_checks(config: dict) -> None:
    """Compose refuses to start a service waiting on ``service_healthy`` of one without a health check."""
    for name, svc in config["services"].items():
        for dep, cond in (svc.get("depends_on") or {}).items():
            if cond["condition"] == "service_healthy":
                assert "healthcheck" in config["services"][dep], f"{name} waits for {dep}'s health"


def test_stream_processors_fit_the_partitions(config: dict) -> None:
    services = config["services"]
    partitions = int(services["stream-processor"]["environment"]["SMARTCAR_KAFKA_PARTITIONS"])
    assert partitions == int(services["kafka-1"]["environment"]["KAFKA_NUM_PARTITIONS"])
    replicas = (services["stream-processor"].get("deploy") or {}).get("replicas", 1)
    assert 1 <= replicas <= partitions
    assert f"at most SMARTCAR_KAFKA_PARTITIONS ({partitions})" in COMPOSE_FILE.read_text()
