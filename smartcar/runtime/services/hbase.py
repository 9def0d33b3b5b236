"""Apache HBase standalone with its Thrift1 gateway, the embedded default's HBase.

Two JVMs from the jars Maven resolved (``jars/hbase``, pinned in ``jars/pom.xml``): ``HMaster
start`` in standalone mode runs the master, one region server and ZooKeeper in one process, with
``hbase.rootdir`` on the local file system under the state directory; ``ThriftServer start`` is
the Thrift1 gateway happybase talks to, with the transport and protocol of the settings. Every
listener binds to loopback; the web UIs are off.

**Durability.** HBase on ``file://`` is not durable by default: Hadoop's checksummed
``LocalFileSystem`` buffers WAL bytes in the JVM and cannot hflush (HBASE-3696, HBASE-20354), so a
``kill -9`` loses acknowledged writes. Mapping ``file:`` to ``RawLocalFileSystem`` makes the WAL's
hflush write through to the operating system before a put is acknowledged, which survives a crash
of the process (not of the machine: there is no fsync per edit). ``bench/bench_hbase_thrift.py``
counts acknowledged cells after ``kill -9`` with and without it. The stream-capability check is
relaxed because the raw stream does not advertise hflush although it performs it.

**WAL splitting after a crash** is coordinated through ZooKeeper (``hbase.split.wal.zk.coordinated``),
HBase 2's long-standing path, not the procedure-based one 2.6 defaults to: after a ``kill -9`` the
master and the region server start in one JVM at once, and once (a fresh-clone test run) the
procedure splitting the dead server's ``hbase:meta`` WAL stayed in ``ACQUIRE_SPLIT_WAL_WORKER`` although
the new region server had registered in the same millisecond, holding the master for the whole start
timeout. The ZooKeeper path has no worker to acquire: the region server picks the split task up.

ZooKeeper keeps only transient state in HBase 2 (server registrations, the meta location), so its
directory is cleared before each start: after a crash the dead server's session would otherwise
hold the restart for the session timeout.
"""

from __future__ import annotations

import shutil
from html import escape
from pathlib import Path

from smartcar.core.clients import hbase_connection
from smartcar.core.driving_record import ensure_table
from smartcar.runtime.health import port_open
from smartcar.runtime.identity import port_in_use
from smartcar.runtime.jvm import JAVA17_OPENS, java_command
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{ISO8601} %-5p [%t] %c{2}: %m%n
rootLogger = INFO, console
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.hbase.name = org.apache.hadoop.hbase
logger.hbase.level = INFO
logger.chores.name = org.apache.hadoop.hbase.ChoreService
logger.chores.level = WARN
logger.metrics.name = org.apache.hadoop.metrics2
logger.metrics.level = ERROR
"""


def site_properties(settings: Settings, state: Path) -> dict[str, str]:
    """``hbase-site.xml`` of the standalone node (HBase's ``conf/hbase-site.xml`` plus loopback and durability)."""
    return {
        "hbase.cluster.distributed": "false",
        "hbase.rootdir": (state / "data").as_uri(),
        "hbase.tmp.dir": str(state / "tmp"),
        "hbase.zookeeper.quorum": "127.0.0.1",
        "hbase.zookeeper.property.clientPort": str(settings.hbase_zookeeper_port),
        "hbase.zookeeper.property.dataDir": str(state / "zookeeper"),
        "hbase.localcluster.assign.random.ports": "true",
        "hbase.master.ipc.address": "127.0.0.1",
        "hbase.regionserver.ipc.address": "127.0.0.1",
        "hbase.master.info.port": "-1",
        "hbase.regionserver.info.port": "-1",
        "hbase.thrift.info.port": "-1",
        "fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
        "hbase.unsafe.stream.capability.enforce": "false",
        "hbase.wal.provider": "filesystem",
        "hbase.split.wal.zk.coordinated": "true",
        "hbase.regionserver.thrift.framed": str(settings.hbase_transport == "framed").lower(),
        "hbase.regionserver.thrift.compact": str(settings.hbase_protocol == "compact").lower(),
        "hbase.thrift.minWorkerThreads": "16",
        "hbase.regionserver.handler.count": "16",
    }


CONTAINER_DATA = Path("/var/lib/hbase")


def container_site_properties(settings: Settings) -> dict[str, str]:
    """``docker/hbase/hbase-site.xml`` of the production image: the same node on its volume,
    listening on the container's interfaces, buffered/binary Thrift (a test keeps the file equal)."""
    props = site_properties(settings, CONTAINER_DATA)
    for key in ("hbase.master.ipc.address", "hbase.regionserver.ipc.address"):
        del props[key]
    props.update(
        {
            "hbase.zookeeper.quorum": "localhost",
            "hbase.zookeeper.property.clientPort": "2181",
            "hbase.regionserver.thrift.framed": "false",
            "hbase.regionserver.thrift.compact": "false",
        }
    )
    return props


def site_xml(properties: dict[str, str]) -> str:
    body = "".join(
        f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n" for k, v in properties.items()
    )
    return f'<?xml version="1.0"?>\n<configuration>\n{body}</configuration>\n'


class HBaseService(Service):
    name = "hbase"
    start_timeout = 180.0
    stop_timeout = 30.0

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        state = self.state_dir(settings)
        if port_open("127.0.0.1", settings.hbase_zookeeper_port):
            raise ServiceError(port_in_use("127.0.0.1", settings.hbase_zookeeper_port, "ZooKeeper port"))
        conf = state / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "hbase-site.xml").write_text(site_xml(site_properties(settings, state)))
        (conf / "log4j2.properties").write_text(LOG4J2)
        shutil.rmtree(state / "zookeeper", ignore_errors=True)
        (state / "tmp").mkdir(exist_ok=True)

    def _java(self, settings: Settings, main_class: str, *args: str, heap: str) -> list[str]:
        conf = self.state_dir(settings) / "conf"
        options = [
            *JAVA17_OPENS,
            "-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true",
            f"-Dlog4j2.configurationFile={conf / 'log4j2.properties'}",
            f"-Djava.io.tmpdir={self.state_dir(settings) / 'tmp'}",
        ]
        return java_command(settings, "hbase", main_class, *args, heap=heap, classpath_first=[conf], options=options)

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        host, port = self.endpoint(settings)
        thrift_args = ["-b", host, "-p", str(port), "--infoport", "-1", "-threadpool"]
        if settings.hbase_transport == "framed":
            thrift_args.append("-f")
        if settings.hbase_protocol == "compact":
            thrift_args.append("-c")
        return [
            ProcessSpec(
                "hbase-master",
                self._java(settings, "org.apache.hadoop.hbase.master.HMaster", "start", heap=settings.hbase_heap),
            ),
            ProcessSpec(
                "hbase-thrift",
                self._java(
                    settings,
                    "org.apache.hadoop.hbase.thrift.ThriftServer",
                    *thrift_args,
                    "start",
                    heap=settings.hbase_thrift_heap,
                ),
            ),
        ]

    def healthy(self, settings: Settings) -> bool:
        if not port_open(*self.endpoint(settings)):
            return False
        try:
            conn = hbase_connection(settings, timeout=5000)
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
