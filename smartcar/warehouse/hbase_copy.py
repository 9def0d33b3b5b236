"""Copy one simulation date of driving events from HBase ``DriverCarInfo`` into ``SmartCar_Drive_Info_2``.

The original did this in Hive through the HBase storage handler (SEED_SPEC 5.3, Hive 6.98): a full
table scan filtered on ``substring(r_date, 0, 8)``. Here the scan runs over Thrift with happybase so
it works against the embedded server and a production HBase alike. Row keys are the reversed
14-digit timestamp, ``-``, car number, so the rows of date ``yyyyMMdd`` are exactly those whose key
has the reversed date at characters 7-14: ``^[0-9]{6}<reversed date>-``. They are not contiguous
(that is the point of the reversed key), so the scan is split into ten key ranges by the first
character and the ranges run in parallel, each with that RowFilter evaluated on the server; keys are
checked again on the client so a server that ignored the filter could not leak other dates.

Cost: like the original's storage-handler query this reads the WHOLE table on the server (a date's
rows are spread over every key prefix), so it grows with the days HBase keeps, not with one day.
Measured under heavy CPU contention: 4.32 M rows (100 cars, one day) in 399 s; a table holding that
day plus 216 k rows of another took 38 s (2 workers) to copy the small day.

Each range writes one Parquet file into a fresh temporary directory; the partition directory
``drive-log/wrk_date=<date>`` is then swapped in by renames, so Hive never sees half a copy and a
rerun replaces the partition instead of appending to it.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from smartcar import driving_table
from smartcar.ingest.durable import fsync_dir
from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)

DRIVE_DIR = "drive-log"
COLUMNS: tuple[str, ...] = ("r_key", "r_date", *driving_table.QUALIFIERS[1:])
"""``SmartCar_Drive_Info_2`` columns: r_key, r_date (= cf1:date), then the other 7 qualifiers."""
SCHEMA = pa.schema([(name, pa.string()) for name in COLUMNS])
_QUALIFIER_COLUMNS = [driving_table.column(q) for q in driving_table.QUALIFIERS]


def row_filter(day: str) -> str:
    """HBase filter string selecting the rows of simulation date ``day`` (yyyyMMdd)."""
    _check_day(day)
    return f"RowFilter(=, 'regexstring:^[0-9]{{6}}{day[::-1]}-')"


def key_matches(key: bytes, day: str) -> bool:
    """Client-side twin of :func:`row_filter`."""
    return len(key) > 15 and key[14:15] == b"-" and key[6:14] == day[::-1].encode() and key[:6].isdigit()


def partition_dir(day: str, settings: Settings | None = None) -> Path:
    return (settings or get_settings()).landing_path / DRIVE_DIR / f"wrk_date={day}"


def rows_to_table(rows: list[tuple[str | bytes | None, ...]]) -> pa.Table:
    """Rows in :data:`COLUMNS` order -> an Arrow table with the Hive schema (all strings)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    return pa.table([pa.array(col, type=pa.string()) for col in columns], schema=SCHEMA)


def write_partition(day: str, parts: list[list[tuple[str | None, ...]]], settings: Settings | None = None) -> Path:
    """Write rows straight into a partition (used by tests and backfills from files); replaces it."""
    staging = _staging_dir(day, settings)
    for i, rows in enumerate(parts):
        pq.write_table(rows_to_table(rows), staging / f"part-{i:02d}.parquet")
    return _swap_in(staging, partition_dir(day, settings))


@dataclass
class CopyResult:
    day: str
    rows: int
    seconds: float
    path: Path


def copy_day(day: str, *, settings: Settings | None = None, workers: int = 2, batch_size: int = 5000) -> CopyResult:
    """Copy every HBase row of ``day`` into its ``SmartCar_Drive_Info_2`` partition directory."""
    s = settings or get_settings()
    _check_day(day)
    started = time.monotonic()
    staging = _staging_dir(day, s)
    ranges = [(str(d).encode(), str(d + 1).encode()) for d in range(10)]
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            counts = list(
                pool.map(
                    lambda r: _copy_range(s, day, r[0], r[1], staging / f"part-{r[0].decode()}.parquet", batch_size),
                    ranges,
                )
            )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target = _swap_in(staging, partition_dir(day, s))
    total = sum(counts)
    elapsed = time.monotonic() - started
    log.info("copied %d driving events of %s from HBase in %.1fs", total, day, elapsed)
    return CopyResult(day, total, elapsed, target)


def _copy_range(s: Settings, day: str, start: bytes, stop: bytes, out: Path, batch_size: int) -> int:
    from smartcar.clients import hbase_connection

    connection = hbase_connection(s)
    count = 0
    try:
        table = connection.table(driving_table.TABLE)
        with pq.ParquetWriter(out, SCHEMA) as writer:
            for rows in _batches(table, day, start, stop, batch_size):
                writer.write_table(rows_to_table(rows))
                count += len(rows)
        return count
    finally:
        connection.close()


def _batches(table, day: str, start: bytes, stop: bytes, batch_size: int) -> Iterator[list[tuple[bytes | None, ...]]]:
    rows: list[tuple[bytes | None, ...]] = []
    scan = table.scan(row_start=start, row_stop=stop, filter=row_filter(day), columns=[b"cf1"], batch_size=batch_size)
    for key, data in scan:
        if not key_matches(key, day):
            continue
        # bytes go to Arrow as they are: it validates UTF-8 once per column, far cheaper than decode()
        rows.append((key, *[data.get(c) for c in _QUALIFIER_COLUMNS]))
        if len(rows) >= 50_000:
            yield rows
            rows = []
    if rows:
        yield rows


def _staging_dir(day: str, settings: Settings | None) -> Path:
    final = partition_dir(day, settings)
    staging = final.parent / f".wrk_date={day}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    staging.mkdir(parents=True)
    return staging


def _swap_in(staging: Path, final: Path) -> Path:
    """Replace ``final`` by ``staging`` with renames (old content removed after the swap)."""
    for f in staging.iterdir():
        with open(f, "rb") as handle:
            os.fsync(handle.fileno())
    fsync_dir(staging)
    old = final.with_name(f".{final.name}.{os.getpid()}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    fsync_dir(final.parent)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _check_day(day: str) -> None:
    if len(day) != 8 or not day.isdigit():
        raise ValueError(f"date must be yyyyMMdd, got {day!r}")
