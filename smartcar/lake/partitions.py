"""Reading a warehouse partition into pandas, by path, for the quality checks.

The checks used to run on a local Spark session of their own: a JVM start, and one Spark job per
expectation even on an empty partition, made one validation cost 8-12 s in a fresh process (87 s
on a loaded machine), and every Airflow task is a fresh process. A day's partition is at most a few million rows of short strings, which pandas
holds comfortably, so the files are read with pyarrow (Parquet / ORC, as Spark wrote them) or
pandas' C CSV parser (the landed text files) and validated by Great Expectations' pandas engine.

The result matches what Spark's reader gave the checks before: text lines with fewer fields than
columns get nulls, longer lines are cut to the columns, empty fields are nulls; the spec's numeric
columns are parsed leniently (a value that is not a number becomes a null, like ``try_cast``);
the partition key is added as a column when the files do not carry it.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smartcar.lake.catalog import TableSpec
from smartcar.lake.partition_files import data_files, detect_format, partition_values
from smartcar.settings import Settings

if TYPE_CHECKING:
    import pandas as pd


def _read_text(spec: TableSpec, files: list[Path], usecols: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd

    names = [*spec.columns, *(f"_extra_{i}" for i in range(spec.extra_text_fields))]
    wanted = list(usecols) if usecols is not None else list(spec.columns)
    options = {
        "sep": spec.delimiter,
        "header": None,
        "names": names,
        "usecols": wanted,
        "dtype": pd.StringDtype("pyarrow"),  # a quarter of the memory of Python str objects
        "quoting": csv.QUOTE_NONE,
        "keep_default_na": False,
        "na_values": [""],
        "index_col": False,
        "encoding": "utf-8",
        "encoding_errors": "replace",
    }
    frames = []
    for path in files:
        try:
            frames.append(pd.read_csv(path, engine="c", **options))
        except pd.errors.ParserError:
            # a line with more fields than columns: cut it, as Spark's permissive reader did
            frames.append(pd.read_csv(path, engine="python", on_bad_lines=lambda bad: bad[: len(names)], **options))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=wanted)
    return frame[wanted]


def _read_columnar(spec: TableSpec, files: list[Path], fmt: str, usecols: Sequence[str] | None) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    dataset = ds.dataset([str(f) for f in files], format=fmt)
    columns = [c for c in usecols if c in dataset.schema.names] if usecols is not None else None
    table = dataset.to_table(columns=columns)
    for i, name in enumerate(table.column_names):
        column, kind = table.column(i), table.schema.field(i).type
        if name in spec.numeric:
            # Hive keeps numbers as strings: parse them here, in C (pandas' to_numeric is 10x slower);
            # a value that is not a number leaves the column to the lenient parse of read_partition
            target = pa.float64() if spec.numeric[name] in ("double", "float") else pa.int64()
            with contextlib.suppress(pa.ArrowInvalid):
                table = table.set_column(i, name, column.cast(target))
        elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            table = table.set_column(i, name, column.cast(pa.string()))
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def read_partition(
    spec: TableSpec, value: str | None, settings: Settings | None = None, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The rows of one partition (all rows for an unpartitioned table); ``columns`` limits what is read."""
    import pandas as pd

    path = spec.partition_path(value, settings)
    files = data_files(path)
    fmt = detect_format(files) if files else None
    if fmt is None:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in (columns or spec.columns)})
    elif fmt == "text":
        frame = _read_text(spec, files, [c for c in columns if c in spec.columns] if columns else None)
    else:
        frame = _read_columnar(spec, files, fmt, columns)
    data = {c: pd.to_numeric(frame[c], errors="coerce") if c in spec.numeric else frame[c] for c in frame.columns}
    key = spec.partition_key
    if key and value is not None and key not in data and (columns is None or key in columns):
        data[key] = pd.Series([value] * len(frame), dtype=pd.StringDtype("pyarrow"))
    # built in one go: a frame assembled column by column stays unconsolidated, and Great
    # Expectations then re-merges its blocks for every metric (25 of 62 s on 2.16 M rows)
    return pd.DataFrame(data)


def read_table(
    spec: TableSpec,
    settings: Settings | None = None,
    min_partition: str | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """All partitions of a table whose key is ``>= min_partition`` (used by the reconciliations)."""
    import pandas as pd

    if spec.partition_key is None:
        return read_partition(spec, None, settings, columns)
    values = [v for v in partition_values(spec, settings) if min_partition is None or v >= min_partition]
    frames = [read_partition(spec, v, settings, columns) for v in values]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (columns or [*spec.columns, spec.partition_key])})
    return pd.concat(frames, ignore_index=True)
