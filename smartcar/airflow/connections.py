"""Airflow connections derived from :mod:`smartcar.settings`, so no DAG ever names a host.

They are handed to every Airflow process as ``AIRFLOW_CONN_<ID>`` environment variables (JSON
form), which Airflow reads before its metadata DB; changing an endpoint means changing one
``SMARTCAR_*`` variable, in the embedded default and in production alike.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from smartcar.settings import Settings
from smartcar.warehouse.connection import HIVE_CONN_ID as HIVESERVER2_CONN_ID
from smartcar.warehouse.connection import IMPALA_CONN_ID

KAFKA_CONN_ID = "kafka_default"
REDIS_CONN_ID = "redis_default"
EXPORT_DB_CONN_ID = "postgres_default"


# impyla's auth_mechanism (the settings' vocabulary) -> PyHive's ``auth`` (HiveServer2Hook's ``auth_mechanism``).
_PYHIVE_AUTH = {"PLAIN": "NONE", "NOSASL": "NOSASL", "GSSAPI": "KERBEROS", "LDAP": "LDAP"}


def pyhive_auth(mechanism: str) -> str:
    """PyHive's name for impyla's ``mechanism``: both speak SASL PLAIN for ``PLAIN``, but PyHive calls it
    ``NONE`` (HiveServer2's ``hive.server2.authentication=NONE``, a placeholder password) and sends a real
    password only in ``LDAP``/``CUSTOM`` mode. Unknown names pass through, so PyHive itself rejects them."""
    return _PYHIVE_AUTH.get(mechanism.upper(), mechanism.upper())


def connections(settings: Settings) -> dict[str, dict[str, object]]:
    """Connection id -> Airflow connection fields."""
    redis_url = urlsplit(settings.redis_url)
    export = urlsplit(settings.export_db_url)
    hive_auth = pyhive_auth(settings.hive_auth_mechanism)
    return {
        KAFKA_CONN_ID: {
            "conn_type": "kafka",
            "extra": {
                "bootstrap.servers": settings.kafka_bootstrap,
                "session.timeout.ms": settings.kafka_session_timeout_ms,
                "group.id": f"{settings.kafka_consumer_group}-airflow",
                # the alert watcher (Kafka provider's shared-stream trigger) commits only after Airflow
                # stored the event, and refuses to start with auto-commit on; a new group starts at the
                # oldest retained alert, so no alert published before the watcher started is missed
                "enable.auto.commit": "false",
                "auto.offset.reset": "earliest",
            },
        },
        # PyHive (HiveServer2Hook): the settings' mechanism in PyHive's words; PyHive refuses a password
        # outside LDAP/CUSTOM, so it is handed over only there.
        HIVESERVER2_CONN_ID: {
            "conn_type": "hiveserver2",
            "host": settings.hive_host,
            "port": settings.hive_port,
            "login": settings.hive_user,
            "password": (settings.hive_password or None) if hive_auth in ("LDAP", "CUSTOM") else None,
            "schema": settings.hive_database,
            "extra": {"auth_mechanism": hive_auth},
        },
        # impyla (ImpalaHook): PLAIN SASL works against HiveServer2 and Impala alike.
        IMPALA_CONN_ID: {
            "conn_type": "impala",
            "host": settings.hive_host,
            "port": settings.hive_port,
            "login": settings.hive_user,
            "password": settings.hive_password or None,
            "schema": settings.hive_database,
            "extra": {"auth_mechanism": settings.hive_auth_mechanism},
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


def connection_env(settings: Settings) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` variables for :func:`connections`."""
    env = {}
    for conn_id, fields in connections(settings).items():
        clean = {k: v for k, v in fields.items() if v is not None}
        env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(clean)
    return env
