"""Airflow connections derived from :mod:`smartcar.settings`, so no DAG ever names a host.

They are handed to every Airflow process as ``AIRFLOW_CONN_<ID>`` environment variables (JSON
form), which Airflow reads before its metadata DB; changing an endpoint means changing one
``SMARTCAR_*`` variable, in the embedded default and in production alike.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from smartcar.settings import Settings, get_settings

KAFKA_CONN_ID = "kafka_default"
HIVESERVER2_CONN_ID = "hiveserver2_default"
IMPALA_CONN_ID = "impala_default"
REDIS_CONN_ID = "redis_default"
EXPORT_DB_CONN_ID = "postgres_default"


def connections(settings: Settings | None = None) -> dict[str, dict[str, object]]:
    """Connection id -> Airflow connection fields."""
    s = settings or get_settings()
    redis_url = urlsplit(s.redis_url)
    export = urlsplit(s.export_db_url)
    return {
        KAFKA_CONN_ID: {
            "conn_type": "kafka",
            "extra": {
                "bootstrap.servers": s.kafka_bootstrap,
                "session.timeout.ms": s.kafka_session_timeout_ms,
                "group.id": f"{s.kafka_consumer_group}-airflow",
                # the alert watcher (Kafka provider's shared-stream trigger) commits only after Airflow
                # stored the event, and refuses to start with auto-commit on; a new group starts at the
                # oldest retained alert, so no alert published before the watcher started is missed
                "enable.auto.commit": "false",
                "auto.offset.reset": "earliest",
            },
        },
        # PyHive (HiveServer2Hook): no SASL against the embedded Spark Thrift server.
        HIVESERVER2_CONN_ID: {
            "conn_type": "hiveserver2",
            "host": s.hive_host,
            "port": s.hive_port,
            "login": s.hive_user,
            "schema": s.hive_database,
            "extra": {"auth_mechanism": "NONE"},
        },
        # impyla (ImpalaHook): PLAIN SASL works against HiveServer2 and Impala alike.
        IMPALA_CONN_ID: {
            "conn_type": "impala",
            "host": s.hive_host,
            "port": s.hive_port,
            "login": s.hive_user,
            "password": "smartcar",
            "schema": s.hive_database,
            "extra": {"auth_mechanism": s.hive_auth_mechanism},
        },
        REDIS_CONN_ID: {
            "conn_type": "redis",
            "host": redis_url.hostname or "127.0.0.1",
            "port": redis_url.port or 6379,
            "password": unquote(redis_url.password) if redis_url.password else None,
            "extra": {"db": int((redis_url.path or "/0").lstrip("/") or 0)},
        },
        EXPORT_DB_CONN_ID: {
            "conn_type": "postgres",
            "host": export.hostname or "127.0.0.1",
            "port": export.port or 5432,
            "login": unquote(export.username or ""),
            "password": unquote(export.password or ""),
            "schema": export.path.lstrip("/"),
        },
    }


def connection_env(settings: Settings | None = None) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` variables for :func:`connections`."""
    env = {}
    for conn_id, fields in connections(settings).items():
        clean = {k: v for k, v in fields.items() if v is not None}
        env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(clean)
    return env
