"""HiveServer2 as Apache Hive 4.0.1 (``SMARTCAR_HIVE_ENGINE=hive``): the jars of ``jars/hive``.

One JVM: HiveServer2 with its metastore embedded on Derby (a separate metastore process would cost
a second JVM of ~400 MiB and buys nothing while HiveServer2 is the only client of the catalogue),
Tez in local mode (queries run inside the same JVM, no YARN), bound to loopback. The metastore
schema is created once by ``MetastoreSchemaTool -initOrUpgradeSchema`` and kept under the state
directory across down/up. The hive-site properties come from :func:`site_properties`; the
production image's ``docker/hive/hive-site.xml`` holds :func:`container_site_properties`, and both
share :func:`common_properties` (a unit test keeps the file equal to the function).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from smartcar.runtime.jvm import engine_lib, java_binary
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import ServiceError
from smartcar.settings import Settings

HIVE_VERSION = "4.0.1"
MAIN_CLASS = "org.apache.hive.service.server.HiveServer2"
SCHEMA_TOOL = "org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool"

JAVA17_OPENS: tuple[str, ...] = tuple(
    f"--add-opens={module}=ALL-UNNAMED"
    for module in (
        *(
            f"java.base/{package}"
            for package in (
                "java.lang",
                "java.lang.reflect",
                "java.lang.invoke",
                "java.lang.ref",
                "java.util",
                "java.util.concurrent",
                "java.util.concurrent.atomic",
                "java.util.regex",
                "java.io",
                "java.net",
                "java.nio",
                "sun.nio.ch",
                "sun.nio.cs",
                "java.text",
                "java.time",
                "java.math",
                "sun.security.action",
                "jdk.internal.ref",
            )
        ),
        "java.sql/java.sql",
    )
)
"""Hive 4 and Hadoop 3.3 reflect into these on Java 17; without them the port never opens
(``InaccessibleObjectException ... java.net.URI.string``)."""


def common_properties(warehouse: str) -> dict[str, str]:
    """What the embedded server and the production image agree on: local Tez, no ACID, one warehouse.

    Hive 4's metastore makes a managed table that is not ACID (our Parquet marts) EXTERNAL under
    ``warehouse.external.dir``: both roots are the warehouse, so a mart lands in ``<warehouse>/<table>``
    as it does on Spark, where the lake reader, the checks and the export look for it.
    """
    return {
        "hive.server2.enable.doAs": "false",
        "hive.server2.authentication": "NONE",
        "hive.execution.engine": "tez",
        "tez.local.mode": "true",
        "mapreduce.framework.name": "local",
        "tez.runtime.optimize.local.fetch": "true",
        "hive.exec.submit.local.task.via.child": "false",
        "hive.tez.exec.inplace.progress": "false",
        "metastore.metastore.event.db.notification.api.auth": "false",
        "hive.metastore.warehouse.dir": warehouse,
        "hive.metastore.warehouse.external.dir": warehouse,
        "hive.create.as.acid": "false",
        "hive.create.as.insert.only": "false",
        "metastore.create.as.acid": "false",
        "hive.exec.dynamic.partition.mode": "nonstrict",
    }


def container_site_properties() -> dict[str, str]:
    """``docker/hive/hive-site.xml``: the common part plus a PostgreSQL metastore and the image's dirs."""
    return {
        **common_properties("file:///opt/warehouse"),
        "hive.exec.scratchdir": "/opt/hive/scratch_dir",
        "hive.user.install.directory": "/opt/hive/install_dir",
        "javax.jdo.option.ConnectionDriverName": "org.postgresql.Driver",
        "javax.jdo.option.ConnectionURL": "jdbc:postgresql://postgres:5432/metastore",
        "javax.jdo.option.ConnectionUserName": "hive",
    }


def site_properties(settings: Settings, state: Path) -> dict[str, str]:
    """The embedded server's hive-site: the common part, loopback, Derby and every dir under ``state``."""
    host, port = settings.endpoint("hive")
    return {
        **common_properties(settings.warehouse),
        "hive.server2.thrift.port": str(port),
        "hive.server2.thrift.bind.host": host,
        "hive.server2.webui.port": "0",
        "hive.metastore.uris": "",
        "javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={state / 'metastore_db'};create=true",
        "hive.metastore.event.db.notification.api.auth": "false",
        "fs.defaultFS": "file:///",
        "hive.exec.scratchdir": str(state / "scratch"),
        "hive.exec.local.scratchdir": str(state / "scratch" / "local"),
        "hive.downloaded.resources.dir": str(state / "scratch" / "resources"),
        "hive.user.install.directory": str(state / "install"),
        "hive.querylog.location": str(state / "logs" / "query"),
        "hive.server2.logging.operation.log.location": str(state / "logs" / "operations"),
        "tez.staging-dir": str(state / "scratch" / "tez-staging"),
    }


def metastore_home(settings: Settings) -> Path:
    """The unpacked metastore distribution holding the Derby schema scripts (``make install``)."""
    found = sorted((settings.jars_dir / "hive" / "metastore").glob(f"apache-hive-metastore-{HIVE_VERSION}-bin"))
    if not found or not (found[0] / "scripts" / "metastore" / "upgrade" / "derby").is_dir():
        raise ServiceError(
            f"the Hive metastore schema scripts are not in {settings.jars_dir / 'hive' / 'metastore'} "
            "(run `make install`, which runs Maven)"
        )
    return found[0]


def _java(settings: Settings, state: Path, main_class: str, *args: str) -> list[str]:
    conf = state / "conf"
    return [
        java_binary(settings),
        f"-Xmx{settings.hive_heap}",
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        "-Djava.net.preferIPv4Stack=true",
        *JAVA17_OPENS,
        f"-Djava.io.tmpdir={state / 'tmp'}",
        f"-Dhive.log.dir={state / 'logs'}",
        f"-Dderby.stream.error.file={state / 'logs' / 'derby.log'}",
        "-cp",
        f"{conf}:{engine_lib(settings, 'hive')}/*",
        main_class,
        *args,
    ]


def _env(state: Path, settings: Settings) -> dict[str, str]:
    conf = str(state / "conf")
    return {
        "HIVE_CONF_DIR": conf,
        "HADOOP_CONF_DIR": conf,
        "TEZ_CONF_DIR": conf,
        "METASTORE_HOME": str(metastore_home(settings)),
    }


def prepare(settings: Settings, state: Path) -> None:
    """Write hive-site.xml and create the metastore schema the first time (kept across down/up)."""
    from smartcar.runtime.services.hbase import site_xml

    engine_lib(settings, "hive")
    for sub in ("conf", "tmp", "logs", "scratch", "install"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    (state / "conf" / "hive-site.xml").write_text(site_xml(site_properties(settings, state)))
    marker = state / "metastore_db" / f"smartcar-schema-{HIVE_VERSION}"
    if marker.exists():
        return
    argv = _java(settings, state, SCHEMA_TOOL, "-dbType", "derby", "-initOrUpgradeSchema")
    log = state / "logs" / "schematool.log"
    with log.open("wb") as out:
        done = subprocess.run(
            argv, env={**os.environ, **_env(state, settings)}, cwd=state, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        raise ServiceError(f"the Hive metastore schema tool failed (exit {done.returncode}); see {log}")
    marker.write_text(f"MetastoreSchemaTool -initOrUpgradeSchema done for Hive {HIVE_VERSION}\n")


def hive_server2(settings: Settings, state: Path) -> ProcessSpec:
    """The HiveServer2 JVM."""
    return ProcessSpec("hive", _java(settings, state, MAIN_CLASS), env=_env(state, settings), cwd=state)
