"""Launch lines for the JVM engines whose jars Maven resolved at install time (``jars/``).

Kafka and HBase ship start scripts in their release tarballs, not in their Maven artifacts, so
the command lines those scripts build (class, heap, GC, the ``--add-opens`` Java 17 needs) are
assembled here from the jars ``make install`` copied into ``jars/<engine>/lib``.
"""

from __future__ import annotations

from pathlib import Path

from smartcar.runtime.java import find_java_home
from smartcar.runtime.services.base import ServiceError
from smartcar.settings import Settings

JAVA17_OPENS: tuple[str, ...] = (
    "--add-modules=jdk.unsupported",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-exports=java.base/sun.net.dns=ALL-UNNAMED",
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
)
"""What HBase's ``bin/hbase`` adds on Java 11+ (its Netty and Hadoop reach into JDK internals)."""


def engine_lib(settings: Settings, engine: str) -> Path:
    """``jars/<engine>/lib``, or a clear error when ``make install`` has not resolved it yet."""
    lib = settings.jars_dir / engine / "lib"
    if not lib.is_dir() or not any(lib.glob("*.jar")):
        raise ServiceError(f"the {engine} jars are not installed in {lib} (run `make install`, which runs Maven)")
    return lib


def java_binary(settings: Settings) -> str:
    home = find_java_home(settings)
    if home is None:
        raise ServiceError("no Java 17+ found (install openjdk-17-jre-headless or set SMARTCAR_JAVA_HOME)")
    return str(home / "bin" / "java")


def java_command(
    settings: Settings,
    engine: str,
    main_class: str,
    *args: str,
    heap: str,
    classpath_first: list[Path] | tuple[Path, ...] = (),
    options: list[str] | tuple[str, ...] = (),
) -> list[str]:
    """``java <heap/GC> <options> -cp <conf dirs>:<lib>/* <main_class> <args>``."""
    classpath = [*(str(p) for p in classpath_first), f"{engine_lib(settings, engine)}/*"]
    return [
        java_binary(settings),
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=50",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        "-Djava.net.preferIPv4Stack=true",
        *options,
        "-cp",
        ":".join(classpath),
        main_class,
        *args,
    ]
