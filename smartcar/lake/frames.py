"""Reading a warehouse partition into a Spark DataFrame, by path (the ML jobs), and file helpers.

The ML jobs train on Spark in a local session of their own that reads the files directly: the
embedded metastore (Derby) admits one JVM, and the files are the contract anyway (Sqoop read them
the same way). The session starts once per process (a JVM start costs about 8 s on this machine).
The quality checks read the same files with pandas instead (:mod:`smartcar.lake.partitions`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from smartcar.lake.catalog import TableSpec
from smartcar.lake.partition_files import data_files, detect_format, partition_values
from smartcar.settings import Settings, get_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@functools.cache
def spark_session() -> SparkSession:
    """A local SparkSession with an in-memory catalog (no metastore, no UI)."""
    from pyspark.sql import SparkSession

    s = get_settings()
    if s.java_home:
        os.environ.setdefault("JAVA_HOME", str(s.java_home))
    return (
        SparkSession.builder.master("local[2]")
        .appName("smartcar-quality")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", s.hive_driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def _text_frame(spark: SparkSession, spec: TableSpec, files: list[Path]) -> DataFrame:
    from pyspark.sql.types import StringType, StructField, StructType

    names = [*spec.columns, *(f"_extra_{i}" for i in range(spec.extra_text_fields))]
    schema = StructType([StructField(n, StringType()) for n in names])
    frame = spark.read.csv([str(f) for f in files], schema=schema, sep=spec.delimiter, header=False)
    return frame.select(*spec.columns)


def empty_frame(spark: SparkSession, spec: TableSpec) -> DataFrame:
    from pyspark.sql.types import StringType, StructField, StructType

    return spark.createDataFrame([], StructType([StructField(n, StringType()) for n in spec.columns]))


def read_partition(spec: TableSpec, value: str | None, settings: Settings | None = None) -> DataFrame:
    """The rows of one partition (all rows for an unpartitioned table), typed for the checks.

    A missing partition gives an empty frame so that the report says "0 rows" instead of
    crashing. The partition key is added as a column when the files do not carry it, and the
    numeric columns of the spec are cast with ``try_cast`` (garbage becomes null).
    """
    from pyspark.sql import functions as F

    spark = spark_session()
    path = spec.partition_path(value, settings)
    files = data_files(path)
    if not files:
        frame = empty_frame(spark, spec)
    else:
        fmt = detect_format(files)
        if fmt == "text":
            frame = _text_frame(spark, spec, files)
        else:
            frame = getattr(spark.read.option("basePath", str(path)), fmt)(*[str(f) for f in files])
    for column in frame.columns:
        if column in spec.numeric:
            frame = frame.withColumn(column, F.expr(f"try_cast(`{column}` as {spec.numeric[column]})"))
        elif column in spec.columns:
            frame = frame.withColumn(column, F.col(f"`{column}`").cast("string"))
    if spec.partition_key and value is not None and spec.partition_key not in frame.columns:
        frame = frame.withColumn(spec.partition_key, F.lit(value))
    return frame


def read_table(spec: TableSpec, settings: Settings | None = None, min_partition: str | None = None) -> DataFrame:
    """All partitions of a table whose key is ``>= min_partition`` (used by the reconciliations)."""
    from functools import reduce

    if spec.partition_key is None:
        return read_partition(spec, None, settings)
    values = [v for v in partition_values(spec, settings) if min_partition is None or v >= min_partition]
    frames = [read_partition(spec, v, settings) for v in values]
    if not frames:
        frame = empty_frame(spark_session(), spec)
        from pyspark.sql import functions as F

        return frame.withColumn(spec.partition_key, F.lit(None).cast("string"))
    cols = [*spec.columns, spec.partition_key]
    return reduce(lambda a, b: a.unionByName(b.select(*cols)), (f.select(*cols) for f in frames))
