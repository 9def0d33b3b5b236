"""The local Spark session the ML jobs read the lake with (:func:`smartcar.lake.reader.spark_partition`).

The jobs read the files directly instead of through the warehouse's metastore: the embedded
metastore (Derby) admits one JVM, and the files are the contract anyway (Sqoop read them the same
way). The session starts once per process, because a JVM start costs about 8 s on this machine.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from smartcar.settings import get_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


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
