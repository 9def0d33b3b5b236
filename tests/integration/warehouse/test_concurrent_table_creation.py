"""Two tasks creating the same table at once: the loser's duplicate-key failure is a success.

On Hive 4 under two Celery workers, ``create_tables`` of two DAGs raced in the metastore and one
failed (``UNIQUETABLE`` on ``TBLS``), costing the ingest a retry delay. The race itself cannot be
timed from a test, so the loser's position is taken on purpose: a plain ``CREATE TABLE`` of a table
that exists fails on the engine exactly as the slower insert does.
"""

from __future__ import annotations

import uuid

import pytest

from smartcar.core.clients import hive_dbapi_connection
from smartcar.warehouse import hql

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_a_table_created_meanwhile_is_not_an_error_and_other_failures_are(hive_service) -> None:
    table = f"smartcar_probe_{uuid.uuid4().hex[:8]}"
    conn = hive_dbapi_connection(hive_service)
    try:
        assert hql.create_if_missing(conn, f"CREATE TABLE {table} (x INT)", table) is True
        # the engine refuses this one (no IF NOT EXISTS): the table is there, so nothing is wrong
        assert hql.create_if_missing(conn, f"CREATE TABLE {table} (x INT)", table) is False
        assert table in hql.table_names(conn)
        missing = f"{table}_never"
        with pytest.raises(Exception, match=r"(?i)nosuchtype|datatype|parse|unsupported"):
            hql.create_if_missing(conn, f"CREATE TABLE {missing} (x NOSUCHTYPE)", missing)
        assert missing not in hql.table_names(conn)
    finally:
        hql.execute(conn, [f"DROP TABLE IF EXISTS {table}"])
        conn.close()
