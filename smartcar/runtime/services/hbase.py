"""The project's HBase Thrift1 server (``smartcar.hbase``), backed by RocksDB under the state dir."""

from __future__ import annotations

import sys

from smartcar.clients import hbase_connection
from smartcar.driving_table import ensure_table
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service
from smartcar.settings import Settings


class HBaseService(Service):
    name = "hbase"

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        host, port = self.endpoint(settings)
        return [
            ProcessSpec(
                "hbase",
                [
                    sys.executable,
                    "-m",
                    "smartcar.hbase",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--data-dir",
                    str(self.state_dir(settings) / "data"),
                    "--transport",
                    settings.hbase_transport,
                    "--protocol",
                    settings.hbase_protocol,
                ],
            )
        ]

    def healthy(self, settings: Settings) -> bool:
        try:
            conn = hbase_connection(settings, timeout=2000)
            try:
                conn.tables()
            finally:
                conn.close()
            return True
        except Exception:
            return False

    def after_start(self, settings: Settings) -> None:
        conn = hbase_connection(settings)
        try:
            ensure_table(conn)
        finally:
            conn.close()
