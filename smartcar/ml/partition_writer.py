"""Replace one partition of an ML output table whole (the recommendations of a month).

The rows go to a Parquet file in a hidden sibling folder that is then swapped in by rename, so a
re-run of a month overwrites exactly that partition (Hive's INSERT OVERWRITE ... PARTITION) and a
reader sees the old partition or the new one, never a mix.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from smartcar.core.fileio import fsync_dir
from smartcar.lake.catalog import table_spec
from smartcar.settings import Settings


def overwrite_partition(table: str, value: str, rows: pa.Table, settings: Settings) -> Path:
    """Write ``rows`` as the ``<key>=<value>`` partition of ``table``; returns the partition folder."""
    final = table_spec(table).partition_path(value, settings)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging, old = final.with_name(f".{final.name}.staging"), final.with_name(f".{final.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    pq.write_table(rows, staging / "part-00000.parquet")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    fsync_dir(final.parent)
    shutil.rmtree(old, ignore_errors=True)
    return final
