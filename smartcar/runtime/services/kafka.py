"""Apache Kafka for the embedded default: one KRaft node (broker and controller in one JVM).

The jars come from Maven Central at install time (``jars/kafka``, version pinned in
``jars/pom.xml``, the same as the production compose file). The log directory lives under the
state directory and is formatted once (``kafka.tools.StorageTool``, what ``kafka-storage.sh``
runs), so topics, messages and committed offsets survive ``smartcar down`` / ``up`` and a crash.
Every listener binds to loopback.
"""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from smartcar.core.kafka_topics import ensure_topics, platform_topics
from smartcar.runtime.health import port_open
from smartcar.runtime.identity import port_in_use
from smartcar.runtime.jvm import java_command
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger = INFO, console
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.kafka_server.name = kafka.server.KafkaServer
logger.kafka_server.level = INFO
logger.state_change.name = state.change.logger
logger.state_change.level = WARN
logger.apache_kafka.name = org.apache.kafka
logger.apache_kafka.level = WARN
"""


def server_properties(settings: Settings, data_dir: Path) -> str:
    """``server.properties`` of a single combined node (Kafka's own ``config/server.properties``, trimmed)."""
    host, port = settings.kafka_host_port
    controller = f"{host}:{settings.kafka_controller_port}"
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{controller}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{controller}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(settings.kafka_partitions),
        "num.network.threads": "2",
        "num.io.threads": "4",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "8",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.ms": str(settings.kafka_retention_ms),
        "log.retention.check.interval.ms": "300000",
    }
    return "".join(f"{key}={value}\n" for key, value in props.items())


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (``kafka-storage random-uuid``).

    Like Kafka's ``Uuid.randomUuid`` it never starts with ``-``: one id in 64 would, and the storage
    tool's argument parser then takes it for an option ("--cluster-id: expected one argument").
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class KafkaService(Service):
    name = "kafka"
    start_timeout = 90.0

    def _paths(self, settings: Settings) -> tuple[Path, Path, Path]:
        state = self.state_dir(settings)
        return state / "server.properties", state / "log4j2.properties", state / "data"

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        props, log4j, data = self._paths(settings)
        host = settings.kafka_host_port[0]
        if port_open(host, settings.kafka_controller_port):
            raise ServiceError(port_in_use(host, settings.kafka_controller_port, "controller port"))
        props.write_text(server_properties(settings, data))
        log4j.write_text(LOG4J2)
        if (data / "meta.properties").exists():
            return
        data.mkdir(parents=True, exist_ok=True)
        argv = self._java(
            settings, "kafka.tools.StorageTool", "format", f"--cluster-id={new_cluster_id()}", "-c", str(props)
        )
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ServiceError(f"formatting the Kafka log directory failed: {(result.stderr or result.stdout)[-800:]}")

    def _java(self, settings: Settings, main_class: str, *args: str) -> list[str]:
        _, log4j, _ = self._paths(settings)
        return java_command(
            settings,
            "kafka",
            main_class,
            *args,
            heap=settings.kafka_heap,
            options=[f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={self.state_dir(settings)}"],
        )

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        props, _, _ = self._paths(settings)
        return [ProcessSpec("kafka", self._java(settings, "kafka.Kafka", str(props)))]

    def healthy(self, settings: Settings) -> bool:
        if not port_open(*self.endpoint(settings)):
            return False
        try:
            metadata = AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).list_topics(timeout=3)
        except Exception:
            return False
        return bool(metadata.brokers)

    def after_start(self, settings: Settings) -> None:
        ensure_topics(platform_topics(settings), settings)
