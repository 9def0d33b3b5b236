"""The embedded runtime really starts, reports and stops real services."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from smartcar.runtime.health import port_open
from tests.fixtures.private_platform import private_env, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def private_home() -> Iterator[Path]:
    """A home the ``postgres`` service user can traverse (pytest's tmp_path is private to root)."""
    home = Path(tempfile.mkdtemp(prefix="smartcar-private-"))
    home.chmod(0o755)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the failure is PostgreSQL's service user being locked out")
def test_a_failed_start_stops_what_the_same_call_started(tmp_path: Path) -> None:
    env, ports = private_env(tmp_path)  # tmp_path is 0700 root: postgres cannot traverse it
    result = run_cli("up", "--only", "kafka,redis,postgres", env=env)
    assert result.returncode == 1
    assert "postgres:" in result.stderr and "not traversable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not port_open("127.0.0.1", ports["kafka"])
    assert not port_open("127.0.0.1", ports["redis"])
    assert not list((tmp_path / "run").glob("*.json"))


def test_up_status_twice_and_down_for_a_private_platform(private_home: Path) -> None:
    """A second, independent platform (own home and ports): up, status --json, up again, down."""
    env, ports = private_env(private_home)
    first = run_cli("up", "--only", "kafka,redis,postgres", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    try:
        status = json.loads(run_cli("status", "--json", env=env).stdout)
        assert set(status) == {"kafka", "redis", "hbase", "postgres", "hive", "airflow"}
        for name in ("kafka", "redis", "postgres"):
            assert status[name]["healthy"] is True, name
            assert status[name]["managed"] is True
            assert status[name]["port"] == ports[name]
            assert psutil.pid_exists(status[name]["pid"])
        for name in ("hbase", "hive", "airflow"):
            assert status[name]["healthy"] is False, name
        pids = {name: status[name]["pid"] for name in ("kafka", "redis", "postgres")}

        again = run_cli("up", "--only", "kafka,redis,postgres", env=env)
        assert again.returncode == 0
        assert again.stdout.count("already running") == 3
        status2 = json.loads(run_cli("status", "--json", env=env).stdout)
        assert {name: status2[name]["pid"] for name in pids} == pids
    finally:
        down = run_cli("down", env=env)
    assert down.returncode == 0
    for name, pid in pids.items():
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, name
        assert not port_open("127.0.0.1", ports[name])


def test_topics_exist_with_retention(kafka_service) -> None:
    from confluent_kafka.admin import AdminClient, ConfigResource

    admin = AdminClient({"bootstrap.servers": kafka_service.kafka_bootstrap})
    topics = admin.list_topics(timeout=10).topics
    assert kafka_service.kafka_topic in topics
    assert len(topics[kafka_service.kafka_topic].partitions) == kafka_service.kafka_partitions
    assert kafka_service.kafka_dead_letter_topic in topics
    resource = ConfigResource(ConfigResource.Type.TOPIC, kafka_service.kafka_topic)
    configs = admin.describe_configs([resource])[resource].result(10)
    assert configs["retention.ms"].value == str(kafka_service.kafka_retention_ms)


def test_postgres_accepts_the_export_url(postgres_service) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(postgres_service.export_db_url)
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("select current_database()")).scalar() == "smartcar"


def test_hiveserver2_answers_sql_through_airflow_hooks(hive_service) -> None:
    from airflow.providers.apache.hive.hooks.hive import HiveServer2Hook
    from airflow.providers.apache.impala.hooks.impala import ImpalaHook

    assert HiveServer2Hook().get_records("SELECT 1 + 1") == [(2,)]
    assert ImpalaHook().get_records("SELECT 40 + 2") == [(42,)]


def test_airflow_ui_requires_a_login(airflow_service) -> None:
    from smartcar.runtime.services.airflow import admin_password

    base = airflow_service.airflow_url
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{base}/api/v2/dags", timeout=10)
    assert denied.value.code == 401
    password = admin_password(airflow_service)
    assert password
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": airflow_service.airflow_admin_user, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        token = json.loads(resp.read())["access_token"]
    authed = urllib.request.Request(f"{base}/api/v2/dags", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(authed, timeout=10) as resp:
        assert resp.status == 200
        assert "dags" in json.loads(resp.read())
