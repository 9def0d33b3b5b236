"""Give partitions more replicas with Kafka's own ``ReassignPartitionsCommand`` (``kafka-reassign-partitions.sh``).

confluent-kafka 2.12's AdminClient has no ``alter_partition_reassignments`` (librdkafka does not
implement the request), so the topic check runs the tool class from the pinned jars
(``org.apache.kafka:kafka-tools``, ``jars/kafka/pom.xml``) with a JSON plan, then waits until the
metadata shows every planned replica in sync: only then may ``min.insync.replicas`` be raised.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from confluent_kafka.admin import AdminClient

from smartcar.core.kafka_topics import Reassignment
from smartcar.runtime.jvm import java_command
from smartcar.settings import Settings

TOOL = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand"


def plan_json(plan: Reassignment) -> str:
    """The tool's ``--reassignment-json-file`` format (version 1)."""
    partitions = [{"topic": t, "partition": p, "replicas": replicas} for (t, p), replicas in sorted(plan.items())]
    return json.dumps({"version": 1, "partitions": partitions})


def _done(settings: Settings, plan: Reassignment) -> bool:
    metadata = AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).list_topics(timeout=5)
    for (topic, partition), replicas in plan.items():
        meta = metadata.topics[topic].partitions[partition]
        if sorted(meta.replicas) != sorted(replicas) or sorted(meta.isrs) != sorted(replicas):
            return False
    return True


def reassign_partitions(plan: Reassignment, settings: Settings, timeout: float = 120.0) -> None:
    """Execute ``plan`` and wait until the new replicas are in sync; raise with the tool's message on failure."""
    if not plan:
        return
    with tempfile.TemporaryDirectory(prefix="smartcar-reassign-") as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(plan_json(plan))
        argv = java_command(
            settings,
            "kafka",
            TOOL,
            "--bootstrap-server",
            settings.kafka_bootstrap,
            "--reassignment-json-file",
            str(path),
            "--execute",
            heap="256m",
        )
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"partition reassignment failed: {(result.stderr or result.stdout)[-800:]}")
    deadline = time.monotonic() + timeout
    while not _done(settings, plan):
        if time.monotonic() > deadline:
            raise RuntimeError(f"partition reassignment not complete after {timeout:.0f}s: {plan_json(plan)}")
        time.sleep(0.5)
