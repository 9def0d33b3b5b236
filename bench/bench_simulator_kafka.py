"""Benchmark: driving events into Kafka as fast as possible (key = car number, value = CSV line).

Target (issue 4): >= 50,000 msgs/s on this machine. Uses the broker of the settings
(``SMARTCAR_KAFKA_BOOTSTRAP``) if one answers, otherwise starts a private tansu broker on a free
port for the run. The rate counts until every message is acknowledged (``flush``). Usage:
    .venv/bin/python bench/bench_simulator_kafka.py [--cars 100] [--minutes 120] [--own-broker]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
import uuid

from simulator.sinks import KafkaSink
from simulator.stream import stream_driving
from smartcar.runtime.health import free_port, port_open
from smartcar.runtime.services.kafka import tansu_binary
from smartcar.settings import get_settings


def start_tansu() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"},
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not port_open("127.0.0.1", port):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("tansu did not start")
        time.sleep(0.1)
    return proc, f"127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=120.0, help="simulated minutes (100 cars: 3,000 msgs/min)")
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--own-broker", action="store_true", help="always start a private tansu broker")
    args = parser.parse_args()

    settings = get_settings()
    proc = None
    bootstrap = settings.kafka_bootstrap
    if args.own_broker or not port_open(*settings.kafka_host_port):
        proc, bootstrap = start_tansu()
    try:
        topic = f"bench-sim-{uuid.uuid4().hex[:8]}"
        with KafkaSink(topic, bootstrap) as sink:
            stats = stream_driving(args.date, args.cars, 0, kafka=sink, speed=0, minutes=args.minutes)
        print(
            f"kafka {bootstrap} topic {topic}: {stats.lines:,} msgs in {stats.seconds:.2f} s "
            f"= {stats.rate:,.0f} msgs/s (generate + produce + flush)"
        )
        print(f"target >= 50,000 msgs/s: {'PASS' if stats.rate >= 50_000 else 'FAIL'}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
