"""Read one date of a mart from the warehouse files, like Sqoop read the Hive directory.

A mart partition of one day is small (one row per car), so pyarrow reads it directly; no
Spark or HiveServer2 round trip is needed. Parquet, ORC and delimited text are recognised
by their magic bytes, the same way the quality checks do.
"""

from __future__ import annotations

import csv
from pathlib import Path

from smartcar.lake.catalog import TableSpec, table_spec
from smartcar.lake.partition_files import data_files, detect_format
from smartcar.settings import Settings


def _read_files(spec: TableSpec, files: list[Path]) -> list[dict[str, object]]:
    fmt = detect_format(files)
    rows: list[dict[str, object]] = []
    if fmt == "text":
        for f in files:
            with f.open(encoding="utf-8", newline="") as fh:
                for lineno, fields in enumerate(csv.reader(fh, delimiter=spec.delimiter), 1):
                    if not fields:
                        continue
                    if len(fields) != len(spec.columns):
                        raise ValueError(f"{f}:{lineno}: {len(fields)} fields, {spec.name} has {len(spec.columns)}")
                    values = (v if v not in ("", "\\N") else None for v in fields)
                    rows.append(dict(zip(spec.columns, values, strict=True)))
        return rows
    import pyarrow.orc as orc
    import pyarrow.parquet as pq

    for f in files:
        table = pq.read_table(f) if fmt == "parquet" else orc.read_table(f)
        rows.extend(table.to_pylist())
    return rows


def read_mart(table: str, date: str, settings: Settings | None = None) -> list[dict[str, object]]:
    """Rows of ``table`` for business date ``date``, with ``biz_date`` set.

    Reads the ``biz_date=<date>`` partition; an unpartitioned mart directory (files carrying
    ``biz_date`` themselves) is read whole and filtered.
    """
    spec = table_spec(table)
    key = spec.partition_key or "biz_date"
    partition = spec.partition_path(date, settings)
    files = data_files(partition)
    if files:
        rows = _read_files(spec, files)
        for r in rows:
            r[key] = date
        return rows
    root = spec.root(settings)
    top = [f for f in data_files(root) if "=" not in f.parent.name]
    if not top:
        return []
    return [r for r in _read_files(spec, top) if str(r.get(key)) == date]
