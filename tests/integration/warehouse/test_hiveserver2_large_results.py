"""A SELECT bigger than the driver's heap streams through HiveServer2 at the default memory.

2,160,000 rows x 13 string columns in ONE partition (one day of SmartCar_Status_Info for 100 cars
is one 104 MB text split): collected whole, this ran Spark's Thrift server out of its 1 GiB heap
(``java.lang.OutOfMemoryError``); with incremental collection the client fetches it batch by batch.
"""

from __future__ import annotations

import pytest

from smartcar.core.clients import hive_dbapi_connection
from smartcar.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
ROWS = 2_160_000
COLUMNS = ", ".join(f"concat('v', cast(id % {n + 7} AS string)) AS c{n}" for n in range(12))


def test_two_million_rows_stream_at_the_default_driver_memory(hive_service) -> None:
    assert hive_service.hive_driver_memory == Settings.model_fields["hive_driver_memory"].default == "1g"
    conn = hive_dbapi_connection(hive_service)
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT cast(id AS string) AS reg_date, {COLUMNS} FROM range(0, {ROWS}, 1, 1)")
        fetched, last = 0, None
        while batch := cur.fetchmany(20_000):
            assert len(batch[0]) == 13
            fetched += len(batch)
            last = batch[-1]
    finally:
        conn.close()
    assert fetched == ROWS
    assert last is not None and last[0] == str(ROWS - 1) and last[1] == f"v{(ROWS - 1) % 7}"
