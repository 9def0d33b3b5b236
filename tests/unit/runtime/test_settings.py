"""Settings are read from SMARTCAR_* variables; connections derive from them."""

from __future__ import annotations

import json

import pytest

from smartcar.airflow.connections import connection_env, connections
from smartcar.settings import Settings


def test_defaults_describe_the_embedded_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("SMARTCAR_"):
            monkeypatch.delenv(key)
    s = Settings()
    assert s.kafka_bootstrap == "127.0.0.1:9092"
    assert s.kafka_topic == "SmartCar-Topic"
    assert s.endpoint("hbase") == ("127.0.0.1", 9090)
    assert all(s.is_managed(name) for name in ("kafka", "redis", "hbase", "hive", "postgres", "airflow"))


def test_remote_hosts_and_declared_externals_are_not_managed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCAR_KAFKA_BOOTSTRAP", "kafka-1.prod:9092,kafka-2.prod:9092")
    monkeypatch.setenv("SMARTCAR_HBASE_HOST", "hbase-thrift.prod")
    monkeypatch.setenv("SMARTCAR_EXTERNAL_SERVICES", "redis")
    s = Settings()
    assert s.endpoint("kafka") == ("kafka-1.prod", 9092)
    assert not s.is_managed("kafka")
    assert not s.is_managed("hbase")
    assert not s.is_managed("redis")
    assert s.is_managed("hive")


def test_unknown_service_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown service 'zookeeper'"):
        Settings().endpoint("zookeeper")


def test_airflow_connections_follow_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCAR_HIVE_HOST", "hs2.prod")
    monkeypatch.setenv("SMARTCAR_HIVE_PORT", "10001")
    monkeypatch.setenv("SMARTCAR_EXPORT_DB_URL", "postgresql+psycopg2://u:p%40ss@db.prod:5433/ops")
    s = Settings()
    conns = connections(s)
    assert conns["hiveserver2_default"]["host"] == "hs2.prod"
    assert conns["impala_default"]["port"] == 10001
    assert conns["postgres_default"]["password"] == "p@ss"
    assert conns["postgres_default"]["schema"] == "ops"
    env = connection_env(s)
    assert json.loads(env["AIRFLOW_CONN_KAFKA_DEFAULT"])["extra"]["session.timeout.ms"] == 6000
