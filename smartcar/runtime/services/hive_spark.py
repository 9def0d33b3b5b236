"""HiveServer2 as Spark's Thrift server from the pyspark wheel (``SMARTCAR_HIVE_ENGINE=spark``).

pyspark ships the Hive Thrift server classes but not ``sbin/start-thriftserver.sh``, so we run
``HiveThriftServer2`` through ``spark-submit`` in local mode, with a Derby metastore and the
warehouse under the state directory. Derby admits one JVM: other Spark sessions read warehouse
files by path or go through this server.
"""

from __future__ import annotations

import os
from pathlib import Path

from smartcar.runtime.java import find_java_home
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import ServiceError
from smartcar.settings import Settings


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError as exc:
        raise ServiceError("pyspark is not installed") from exc
    return Path(pyspark.__file__).parent


def spark_thrift_server(settings: Settings, state: Path) -> ProcessSpec:
    """The ``spark-submit`` line of the Thrift server on ``hive_host:hive_port``."""
    host, port = settings.endpoint("hive")
    java_home = find_java_home(settings)
    home = spark_home()
    metastore = state / "metastore_db"
    conf = {
        "spark.master": "local[2]",
        "spark.app.name": "smartcar-hiveserver2",
        "spark.driver.memory": settings.hive_driver_memory,
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": settings.warehouse,
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.shuffle.partitions": "4",
        # stream results to the client a partition at a time instead of collecting the whole
        # result in the driver first (a 2.16 M-row SELECT ran out of the 1 GiB heap otherwise)
        "spark.sql.thriftServer.incrementalCollect": "true",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.legacy.createHiveTableByDefault": "true",
        "spark.hadoop.hive.exec.dynamic.partition": "true",
        "spark.hadoop.hive.exec.dynamic.partition.mode": "nonstrict",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore};create=true",
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.hadoop.hive.metastore.schema.verification": "false",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={state} -Djava.io.tmpdir={state / 'tmp'}",
    }
    (state / "tmp").mkdir(parents=True, exist_ok=True)
    argv = [str(home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"]
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    argv += [
        "--hiveconf",
        f"hive.server2.thrift.port={port}",
        "--hiveconf",
        f"hive.server2.thrift.bind.host={host}",
        "--hiveconf",
        "hive.server2.authentication=NONE",
        "spark-internal",
    ]
    env = {
        "JAVA_HOME": str(java_home),
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(state),
        "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", "python3"),
    }
    return ProcessSpec("hive", argv, env=env, cwd=state)
