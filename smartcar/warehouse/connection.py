"""DB-API connections to HiveServer2, through Airflow's hook inside Airflow and impyla elsewhere.

Inside a DAG task the Airflow connection (``hiveserver2_default``, derived from the settings by
``smartcar.airflow.connections``) is used so operators can repoint it without touching code; the CLI,
tests and benchmarks connect with impyla straight from the settings. Both speak HiveServer2 Thrift.
"""

from __future__ import annotations

import logging
from typing import Any

from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)

# The Airflow connections the warehouse uses inside tasks; smartcar.airflow.connections defines them
# from the settings under these ids.
HIVE_CONN_ID = "hiveserver2_default"
IMPALA_CONN_ID = "impala_default"

__all__ = ["HIVE_CONN_ID", "IMPALA_CONN_ID", "connect", "refresh", "task_connection"]


def connect(conn_id: str | None = None, settings: Settings | None = None) -> Any:
    """An open DB-API connection; ``conn_id`` selects an Airflow connection, ``None`` uses the settings."""
    if conn_id is None:
        from smartcar.core.clients import hive_dbapi_connection

        return hive_dbapi_connection(settings or get_settings())
    if conn_id.startswith("impala"):
        from airflow.providers.apache.impala.hooks.impala import ImpalaHook

        return ImpalaHook(impala_conn_id=conn_id).get_conn()
    from airflow.providers.apache.hive.hooks.hive import HiveServer2Hook

    return HiveServer2Hook(hiveserver2_conn_id=conn_id).get_conn()


def airflow_connection_available(conn_id: str) -> bool:
    """Whether Airflow knows ``conn_id`` (an ``AIRFLOW_CONN_*`` variable or a stored connection)."""
    try:
        from airflow.sdk import BaseHook

        BaseHook.get_connection(conn_id)
    except Exception:
        return False
    return True


def task_connection(conn_id: str = HIVE_CONN_ID) -> Any:
    """Connection for code running in an Airflow task: the Airflow connection if defined, else the settings."""
    if airflow_connection_available(conn_id):
        return connect(conn_id)
    log.info("Airflow connection %s not defined; connecting from the SMARTCAR_* settings", conn_id)
    return connect(None)


def refresh(conn: Any, table: str) -> None:
    """Drop cached file listings of ``table`` after files changed underneath it (Spark/Impala; no-op on Hive)."""
    cur = conn.cursor()
    try:
        cur.execute(f"REFRESH TABLE {table}")
    except Exception as exc:
        log.debug("REFRESH TABLE %s not supported: %s", table, exc)
    finally:
        cur.close()
