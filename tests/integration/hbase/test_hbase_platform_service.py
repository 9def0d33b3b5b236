"""The server as the platform runs it: started by the runtime (``hbase_service``), with the
``DriverCarInfo`` table of docs/data-formats.md#hbase-table-drivercarinfo, reached through ``smartcar.core.clients``."""

from __future__ import annotations

import os

import pytest

from smartcar.core import driving_record as dt
from smartcar.core.clients import hbase_connection

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(os.environ.get("SMARTCAR_HBASE_CONFORMANCE_URL")), reason="conformance run"),
]


def test_driver_car_info_round_trip(hbase_service) -> None:
    conn = hbase_connection(hbase_service)
    try:
        table = dt.ensure_table(conn)
        family = table.families()[dt.FAMILY.encode()]
        assert family["max_versions"] == dt.MAX_VERSIONS
        assert family["block_cache_enabled"] is True and family["bloom_filter_type"] == b"ROW"
        key = dt.row_key("20160103010600", "Z0020")
        values = ["20160103010600", "Z0020", "1", "0", "F", "N", "85", "A05"]
        # an explicit older timestamp: two puts in the same millisecond would be one version
        table.put(key, {dt.column(q): v.encode() for q, v in zip(dt.QUALIFIERS, values, strict=True)}, timestamp=1_000)
        table.put(key, {dt.column("speed"): b"80"})  # a correction keeps the old value as a version
        row = table.row(key)
        assert row[dt.column("car_number")] == b"Z0020"
        assert table.cells(key, dt.column("speed"), versions=dt.MAX_VERSIONS) == [b"80", b"85"]
        assert dt.split_row_key(next(iter(table.scan(row_prefix=key.encode())))[0]) == ("20160103010600", "Z0020")
    finally:
        conn.close()
