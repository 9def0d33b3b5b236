"""Apache Kafka for the embedded default: one KRaft node, or three replicated ones (``kafka_brokers``).

The jars come from Maven Central at install time (``jars/kafka``, version pinned in
``jars/pom.xml``, the same as the production compose file). Each node's log directory lives under
the state directory and is formatted once (``kafka.tools.StorageTool``, what ``kafka-storage.sh``
runs), so topics, messages and committed offsets survive ``smartcar down`` / ``up`` and a crash.
Every listener binds to loopback.

**One node** (the default): broker and controller in one JVM, ``<home>/kafka/server.properties``
and the log directory ``<home>/kafka/data``, as it always was.

**Three nodes**: three *combined* nodes (``process.roles=broker,controller``), ids 1..3, each with its
own client and controller port (``kafka_bootstrap`` and ``kafka_controller_ports``, node 1 first) and
its directory ``<home>/kafka/node-<i>`` (``server.properties``, ``data``); the three are formatted with
one cluster id. Combined rather than three controllers plus three brokers: six JVMs on two cores
and 24 GiB would cost twice the heap, start time and GC threads for nothing the platform uses — the
quorum of three controllers survives the loss of one node either way, which is what the replicated
topics need (``min.insync.replicas=2`` of three). Kafka advises dedicated controllers where a broker's
load could starve the controller; compose runs the same combined topology (``container_environment``),
and a production cluster with dedicated controllers is only a matter of its own ``server.properties``.

A home keeps the layout it was created with: three nodes refuse to start over a one-node log directory
(and the reverse), because the other layout would be a new, empty cluster beside the old one.
"""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from smartcar.core.kafka_topics import ensure_topics, platform_topics, replication_state
from smartcar.runtime.health import port_open
from smartcar.runtime.identity import port_in_use
from smartcar.runtime.jvm import java_command
from smartcar.runtime.kafka_reassign import reassign_partitions
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


def cluster_properties(settings: Settings) -> dict[str, str]:
    """Broker settings every node shares, embedded or in compose: partitions, retention and replication.

    The internal topics (consumer offsets, transaction state, share-group state) get the replication of the
    platform's own topics; ``min.insync.replicas`` is the broker default, so it also covers the offsets topic.
    """
    rf, isr = str(settings.kafka_replication_factor), str(settings.kafka_min_insync_replicas)
    return {
        "num.partitions": str(settings.kafka_partitions),
        "default.replication.factor": rf,
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": rf,
        "offsets.topic.num.partitions": "8",
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        "share.coordinator.state.topic.replication.factor": rf,
        "share.coordinator.state.topic.min.isr": isr,
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.ms": str(settings.kafka_retention_ms),
        "log.retention.check.interval.ms": "300000",
    }


def node_properties(settings: Settings, node: int, data_dir: Path) -> dict[str, str]:
    """``server.properties`` of embedded node ``node`` (1-based; Kafka's own ``config/server.properties``, trimmed)."""
    host, port = settings.kafka_node_addresses[node - 1]
    controllers = settings.kafka_controller_port_list
    voters = ",".join(f"{i}@{host}:{p}" for i, p in enumerate(controllers, start=1))
    return {
        "process.roles": "broker,controller",
        "node.id": str(node),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controllers[node - 1]}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.network.threads": "2",
        "num.io.threads": "4",
        **cluster_properties(settings),
    }


def server_properties(settings: Settings, data_dir: Path, node: int = 1) -> str:
    return "".join(f"{key}={value}\n" for key, value in node_properties(settings, node, data_dir).items())


COMPOSE_NODES = 3
COMPOSE_DATA = "/var/lib/kafka/data"


def container_environment(settings: Settings, node: int) -> dict[str, str]:
    """The ``KAFKA_*`` environment of compose service ``kafka-<node>`` (the apache/kafka image turns
    ``KAFKA_A_B`` into ``a.b``): the embedded nodes' shared settings, container listeners (``INTERNAL`` for
    the stack, ``EXTERNAL`` 127.0.0.1:909<3+node> for the host). ``tests/unit/deploy`` keeps the file equal."""
    voters = ",".join(f"{i}@kafka-{i}:9093" for i in range(1, COMPOSE_NODES + 1))
    props = {
        "node.id": str(node),
        "process.roles": "broker,controller",
        "listeners": f"INTERNAL://:9092,CONTROLLER://:9093,EXTERNAL://:{9093 + node}",
        "advertised.listeners": f"INTERNAL://kafka-{node}:9092,EXTERNAL://127.0.0.1:{9093 + node}",
        "listener.security.protocol.map": "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT",
        "inter.broker.listener.name": "INTERNAL",
        "controller.listener.names": "CONTROLLER",
        "controller.quorum.voters": voters,
        "log.dirs": COMPOSE_DATA,
        **cluster_properties(settings),
    }
    return {"KAFKA_" + key.upper().replace(".", "_"): value for key, value in props.items()}


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (``kafka-storage random-uuid``).

    Like Kafka's ``Uuid.randomUuid`` it never starts with ``-``: one id in 64 would, and the storage
    tool's argument parser then takes it for an option ("--cluster-id: expected one argument").
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _cluster_id_of(data_dir: Path) -> str | None:
    """The ``cluster.id`` a formatted log directory belongs to."""
    try:
        lines = (data_dir / "meta.properties").read_text().splitlines()
    except OSError:
        return None
    return next((ln.split("=", 1)[1].strip() for ln in lines if ln.startswith("cluster.id=")), None)


class KafkaService(Service):
    name = "kafka"
    start_timeout = 90.0
    restarts_missing_processes = True

    def node_dirs(self, settings: Settings) -> list[Path]:
        """Per node, the directory of its ``server.properties`` (the log directory is ``data`` in it)."""
        state = self.state_dir(settings)
        if settings.kafka_brokers == 1:
            return [state]
        return [state / f"node-{i}" for i in range(1, settings.kafka_brokers + 1)]

    def _log4j(self, settings: Settings) -> Path:
        return self.state_dir(settings) / "log4j2.properties"

    def _check_layout(self, settings: Settings) -> None:
        state = self.state_dir(settings)
        single, multi = (state / "data" / "meta.properties").exists(), any(state.glob("node-*/data/meta.properties"))
        if settings.kafka_brokers == 3 and single:
            raise ServiceError(
                f"{state / 'data'} holds a one-node cluster; three nodes would start a new, empty cluster beside it: "
                "move it aside (or use another SMARTCAR_HOME), or keep SMARTCAR_KAFKA_BROKERS=1"
            )
        if settings.kafka_brokers == 1 and multi:
            raise ServiceError(
                f"{state} holds a three-node cluster (node-*/data); set SMARTCAR_KAFKA_BROKERS=3 "
                "with its addresses, or use another SMARTCAR_HOME"
            )

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        self._check_layout(settings)
        addresses = settings.kafka_node_addresses[: settings.kafka_brokers]
        host = addresses[0][0]
        busy = [(h, p, "client port") for h, p in addresses[1:]]
        busy += [(host, p, "controller port") for p in settings.kafka_controller_port_list]
        for h, p, what in busy:
            if port_open(h, p):
                raise ServiceError(port_in_use(h, p, what))
        self._log4j(settings).write_text(LOG4J2)
        dirs = self.node_dirs(settings)
        cluster_id = next(filter(None, (_cluster_id_of(d / "data") for d in dirs)), None) or new_cluster_id()
        for node, directory in enumerate(dirs, start=1):
            data = directory / "data"
            data.mkdir(parents=True, exist_ok=True)
            props = directory / "server.properties"
            props.write_text(server_properties(settings, data, node))
            if (data / "meta.properties").exists():
                continue
            argv = self._java(settings, directory, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}")
            result = subprocess.run([*argv, "-c", str(props)], capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                raise ServiceError(f"formatting {data} failed: {(result.stderr or result.stdout)[-800:]}")

    def _java(self, settings: Settings, node_dir: Path, main_class: str, *args: str) -> list[str]:
        return java_command(
            settings,
            "kafka",
            main_class,
            *args,
            heap=settings.kafka_heap,
            options=[f"-Dlog4j2.configurationFile={self._log4j(settings)}", f"-Dkafka.logs.dir={node_dir}"],
        )

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        dirs = self.node_dirs(settings)
        if len(dirs) == 1:
            return [
                ProcessSpec("kafka", self._java(settings, dirs[0], "kafka.Kafka", str(dirs[0] / "server.properties")))
            ]
        return [
            ProcessSpec(f"kafka-{i}", self._java(settings, d, "kafka.Kafka", str(d / "server.properties")))
            for i, d in enumerate(dirs, start=1)
        ]

    def healthy(self, settings: Settings) -> bool:
        """Every node answers and is a registered broker of the cluster (``kafka_brokers`` of them)."""
        if not all(port_open(h, p) for h, p in settings.kafka_node_addresses[: settings.kafka_brokers]):
            return False
        try:
            metadata = AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).list_topics(timeout=3)
        except Exception:
            return False
        return len(metadata.brokers) >= settings.kafka_brokers

    def detail(self, settings: Settings) -> str:
        """``3/3 brokers, 0 under-replicated``: what ``smartcar status`` shows beside the health."""
        try:
            state = replication_state(settings, timeout=3)
        except Exception:
            return ""
        text = f"{state.brokers}/{settings.kafka_brokers} brokers, {state.under_replicated} under-replicated"
        return text + (f", {state.offline} offline" if state.offline else "")

    def after_start(self, settings: Settings) -> None:
        ensure_topics(platform_topics(settings), settings, reassign=lambda plan: reassign_partitions(plan, settings))
