"""Benchmark: driving events into Kafka as fast as possible (key = car number, value = CSV line).

Target (issue 4): >= 50,000 msgs/s on this machine. Uses the broker of the settings
(``SMARTCAR_KAFKA_BOOTSTRAP``) if one answers, otherwise starts a private Apache Kafka through the
embedded runtime (temporary home, free ports) for the run. The rate counts until every message is
acknowledged (``flush``). Usage:
    .venv/bin/python bench/bench_simulator_kafka.py [--cars 100] [--minutes 120] [--own-broker]
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import services

from simulator.sinks import KafkaSink
from simulator.stream import stream_driving
from smartcar.runtime.health import port_open
from smartcar.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=120.0, help="simulated minutes (100 cars: 3,000 msgs/min)")
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--own-broker", action="store_true", help="always start a private Kafka broker")
    args = parser.parse_args()

    external = not args.own_broker and port_open(*get_settings().kafka_host_port)
    with services(("kafka",), external=external) as settings:
        topic = f"bench-sim-{uuid.uuid4().hex[:8]}"
        with KafkaSink(topic, settings.kafka_bootstrap) as sink:
            stats = stream_driving(args.date, args.cars, 0, kafka=sink, speed=0, minutes=args.minutes)
        print(
            f"kafka {settings.kafka_bootstrap} topic {topic}: {stats.lines:,} msgs in {stats.seconds:.2f} s "
            f"= {stats.rate:,.0f} msgs/s (generate + produce + flush)"
        )
        print(f"target >= 50,000 msgs/s: {'PASS' if stats.rate >= 50_000 else 'FAIL'}")


if __name__ == "__main__":
    main()
