"""The build steps of the batch warehouse, one function per DAG task (the DAG files stay thin).

Every step is idempotent for its date: landings are checksum-deduplicated, lake partitions are added
"if not exists", the HBase copy replaces its partition directory, and every mart statement is an
INSERT OVERWRITE of exactly the partitions it computes. ``conn`` is any HiveServer2 DB-API
connection; ``None`` opens one (the Airflow connection inside a task, the settings elsewhere).

Dates come in as text (a DAG task's XCom value is plain JSON again) and go out as SQL variables and
partition paths, so each step parses its date once with :class:`BusinessDate` (free for a value
that is already one) and hands the typed value on; nothing below checks it again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from smartcar.core.business_dates import BusinessDate, BusinessMonth
from smartcar.lake.catalog import table_spec
from smartcar.settings import Settings, get_settings
from smartcar.warehouse import hql
from smartcar.warehouse.connection import refresh, task_connection

log = logging.getLogger(__name__)


@contextlib.contextmanager
def connection(conn: Any = None) -> Iterator[Any]:
    if conn is not None:
        yield conn
        return
    opened = task_connection()
    try:
        yield opened
    finally:
        opened.close()


def ensure_tables(conn: Any = None, settings: Settings | None = None) -> None:
    """CREATE ... IF NOT EXISTS for every lake table and mart."""
    with connection(conn) as c:
        hql.create_tables(c, settings)


def ingest_spool(wrk_date: str, settings: Settings | None = None) -> dict[str, Any]:
    """Land every completed spool file under load date ``wrk_date``; returns the report as a dict."""
    from smartcar.ingest.spool import ingest_spool as _ingest

    report = _ingest(BusinessDate(wrk_date), settings=settings or get_settings())
    if report.unrecognised:
        log.warning("left in the spool (unrecognised names): %s", ", ".join(report.unrecognised))
    return report.as_dict()


def landed_status_files(wrk_date: str) -> int:
    """Status files landed under load date ``wrk_date`` so far (by this run or an earlier one)."""
    folder = table_spec("smartcar_status_info").partition_path(BusinessDate(wrk_date))
    return sum(1 for f in folder.glob("*") if f.is_file() and not f.name.startswith(".")) if folder.is_dir() else 0


def register_status_partition(wrk_date: str, conn: Any = None) -> None:
    wrk_date = BusinessDate(wrk_date)
    table_spec("smartcar_status_info").partition_path(wrk_date).mkdir(parents=True, exist_ok=True)
    with connection(conn) as c:
        hql.run_file(c, "build/add_status_partition", {"wrk_date": wrk_date})
        refresh(c, "SmartCar_Status_Info")


def build_master_over18(conn: Any = None) -> int:
    with connection(conn) as c:
        refresh(c, "SmartCar_Master")
        hql.run_file(c, "build/master_over18")
        return _count(c, "SmartCar_Master_Over18")


def status_biz_dates(wrk_date: str, conn: Any = None) -> list[str]:
    """Business dates present in load ``wrk_date`` (the partitions subject 1 rebuilds)."""
    with connection(conn) as c:
        rows = hql.execute(
            c,
            [
                "SELECT DISTINCT substring(reg_date, 0, 8) FROM SmartCar_Status_Info "
                f"WHERE wrk_date = '{BusinessDate(wrk_date)}'"
            ],
        ).rows
    return sorted(r[0] for r in rows if r[0])


def build_status_mart(wrk_date: str, conn: Any = None) -> list[str]:
    """Subject 1 for load date ``wrk_date``; returns the biz dates it (re)built."""
    wrk_date = BusinessDate(wrk_date)
    with connection(conn) as c:
        hql.run_file(c, "build/subject1_status_info", {"wrk_date": wrk_date})
        return status_biz_dates(wrk_date, c)


def copy_drive_from_hbase(day: str, conn: Any = None, workers: int = 2) -> int:
    """HBase ``DriverCarInfo`` rows of ``day`` -> ``SmartCar_Drive_Info_2`` partition; returns the row count."""
    from smartcar.warehouse.hbase_copy import copy_day

    day = BusinessDate(day)
    result = copy_day(day, workers=workers)
    with connection(conn) as c:
        hql.run_file(c, "build/add_drive_partition", {"working_day": day})
        refresh(c, "SmartCar_Drive_Info_2")
    return result.rows


def build_drive_mart(day: str, conn: Any = None) -> None:
    with connection(conn) as c:
        hql.run_file(c, "build/subject2_drive_info", {"working_day": BusinessDate(day)})


def build_symptom_mart(day: str, conn: Any = None) -> None:
    with connection(conn) as c:
        hql.run_file(c, "build/subject3_symptom_info", {"working_day": BusinessDate(day)})


def build_emergency_mart(day: str, conn: Any = None) -> None:
    with connection(conn) as c:
        hql.run_file(c, "build/subject4_emergency_check_info", {"working_day": BusinessDate(day)})


def buylist_landed(month: str) -> bool:
    """Whether a landed buy-list file holds rows of ``month`` (read by path, no query engine)."""
    from smartcar.lake.reader import pandas_partition

    months = pandas_partition(table_spec("smartcar_item_buylist"), None, columns=["month"])["month"]
    return bool((months == BusinessMonth(month)).any())


def build_buylist_mart(month: str, conn: Any = None) -> None:
    month = BusinessMonth(month)
    with connection(conn) as c:
        refresh(c, "SmartCar_Item_BuyList")
        hql.run_file(c, "build/subject5_item_buylist_info", {"biz_month": month})


def _count(conn: Any, table: str) -> int:
    return int(hql.execute(conn, [f"SELECT count(*) FROM {table}"]).rows[0][0])
