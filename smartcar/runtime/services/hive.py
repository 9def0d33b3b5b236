"""The embedded ``hive`` service: one HiveServer2 on ``hive_port``, run by the engine of ``hive_engine``.

``spark`` (the default) is Spark's Thrift server (:mod:`.hive_spark`), ``hive`` is Apache Hive 4.0.1
on Tez local mode (:mod:`.hive_server4`). Clients cannot tell them apart but by the SQL dialect's
edges, which ``include/sql`` avoids (docs/hive-engine.md). Production points SMARTCAR_HIVE_* at Hive
or Impala.
"""

from __future__ import annotations

from pathlib import Path

from smartcar.runtime.health import port_open
from smartcar.runtime.java import find_java_home
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services import hive_server4
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.runtime.services.hive_spark import spark_thrift_server
from smartcar.settings import Settings


class HiveService(Service):
    name = "hive"
    start_timeout = 180.0

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        settings.warehouse_path.mkdir(parents=True, exist_ok=True)
        if find_java_home(settings) is None:
            raise ServiceError("no Java 17+ found (install openjdk-17-jre-headless or set SMARTCAR_JAVA_HOME)")
        if settings.hive_engine == "hive":
            hive_server4.prepare(settings, self.engine_state(settings))

    def engine_state(self, settings: Settings) -> Path:
        """Each engine keeps its own metastore: a Spark Derby catalogue is no Hive 4 schema."""
        state = self.state_dir(settings)
        return state if settings.hive_engine == "spark" else state / "hive4"

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        state = self.engine_state(settings)
        if settings.hive_engine == "hive":
            return [hive_server4.hive_server2(settings, state)]
        return [spark_thrift_server(settings, state)]

    def healthy(self, settings: Settings) -> bool:
        from smartcar.core.clients import hive_dbapi_connection

        if not port_open(*self.endpoint(settings)):
            return False
        try:
            conn = hive_dbapi_connection(settings)
            try:
                cur = conn.cursor()
                cur.execute("SELECT 1")
                cur.fetchall()
            finally:
                conn.close()
            return True
        except Exception:
            return False
