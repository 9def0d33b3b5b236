"""Benchmark: one embedded Kafka node against three replicated ones, and what producer idempotence costs.

For each cluster size it starts the embedded Kafka on a temporary home and free ports through the
runtime (``smartcar up``'s code), and prints the start time (``up`` until every node is a registered
broker and the platform's topics exist), the memory of the JVMs right after start and after the
produce runs (PSS, as ``smartcar status`` counts it), and the produce rate of the simulator's bulk
producer (``BULK_PRODUCER``, ``acks=all``) into a topic of the platform's replication (RF 1 or 3,
``min.insync.replicas`` 1 or 2), with idempotence on (the platform's producers) and off (what
``BULK_PRODUCER`` had before), in alternating rounds so a busy machine affects both alike.
Usage:
    .venv/bin/python bench/bench_kafka_brokers.py [--messages 500000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confluent_kafka import Producer

from smartcar import runtime
from smartcar.core.clients import BULK_PRODUCER
from smartcar.core.kafka_topics import ensure_topics
from smartcar.runtime.health import free_port
from smartcar.settings import Settings


def cluster_settings(brokers: int, home: Path) -> Settings:
    clients = [free_port() for _ in range(brokers)]
    controllers = [free_port() for _ in range(brokers)]
    extra = {"kafka_controller_ports": ",".join(map(str, controllers))} if brokers == 3 else {}
    return Settings(
        home=home,
        kafka_brokers=brokers,
        kafka_bootstrap=",".join(f"127.0.0.1:{p}" for p in clients),
        kafka_controller_port=controllers[0],
        **extra,
    )


def kafka_mib(s: Settings) -> float:
    return next(st for st in runtime.status(s) if st.name == "kafka").rss_bytes / 2**20


def produce_rate(s: Settings, messages: int, idempotent: bool) -> float:
    """Messages per second until every one is acknowledged (``flush``)."""
    topic = f"bench-brokers-{uuid.uuid4().hex[:8]}"
    ensure_topics({topic: s.kafka_partitions}, s)
    # a plain Producer: kafka_producer refuses to turn idempotence off, which is what this compares
    producer = Producer(
        s.kafka_client_config(**{"linger.ms": 5, **BULK_PRODUCER, "acks": "all", "enable.idempotence": idempotent})
    )
    value = b"20200322000000,A0001,1,0,F,N,57,A01"
    keys = [f"A{i:04d}".encode() for i in range(1, 1001)]
    started = time.monotonic()
    for i in range(messages):
        while True:
            try:
                producer.produce(topic, value, keys[i % 1000])
                break
            except BufferError:
                producer.poll(0.05)
    if producer.flush(300):
        raise RuntimeError("messages left undelivered")
    return messages / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for brokers in (1, 3):
        home = Path(tempfile.mkdtemp(prefix="smartcar-bench-kafka-"))
        s = cluster_settings(brokers, home)
        try:
            began = time.monotonic()
            runtime.up(["kafka"], s, echo=lambda _m: None)
            start_s = time.monotonic() - began
            idle_mib = kafka_mib(s)
            rates: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(args.rounds):
                for idempotent in (False, True):
                    rates[idempotent].append(produce_rate(s, args.messages, idempotent))
            on, off = statistics.median(rates[True]), statistics.median(rates[False])
            print(
                f"{brokers} node(s), RF {s.kafka_replication_factor}, min ISR {s.kafka_min_insync_replicas}: "
                f"up in {start_s:.1f} s; memory {idle_mib:.0f} MiB after start, {kafka_mib(s):.0f} MiB after the runs; "
                f"acks=all produce {off:,.0f} msgs/s without idempotence, {on:,.0f} with "
                f"(ratio {on / off:.2f}; median of {args.rounds} rounds of {args.messages:,})"
            )
        finally:
            runtime.down(["kafka"], s, echo=lambda _m: None)
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
