"""The benchmarks' own workload module: services, isolated settings, simulated speeds, an RSS sampler.

By default a benchmark starts its own Apache Kafka, Redis and Apache HBase (with its Thrift gateway) through the embedded
runtime (temporary ``SMARTCAR_HOME``, free loopback ports) and stops them at the end; with
``SMARTCAR_BENCH_EXTERNAL=1`` it uses whatever the ``SMARTCAR_*`` environment points at.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.scripted import isolated_settings
from smartcar.settings import Settings, get_settings


@contextlib.contextmanager
def services(names: tuple[str, ...] = ("kafka", "redis", "hbase"), external: bool | None = None) -> Iterator[Settings]:
    """The named embedded services on a temporary home and free ports, or the environment's own."""
    if external is None:
        external = os.environ.get("SMARTCAR_BENCH_EXTERNAL") == "1"
    if external:
        get_settings.cache_clear()
        yield get_settings()
        return
    from smartcar import runtime
    from smartcar.runtime.health import free_port

    home = Path(tempfile.mkdtemp(prefix="smartcar-bench-"))
    os.environ.update(
        {
            "SMARTCAR_HOME": str(home),
            "SMARTCAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
            "SMARTCAR_KAFKA_CONTROLLER_PORT": str(free_port()),
            "SMARTCAR_HBASE_ZOOKEEPER_PORT": str(free_port()),
            "SMARTCAR_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "SMARTCAR_HBASE_HOST": "127.0.0.1",
            "SMARTCAR_HBASE_PORT": str(free_port()),
        }
    )
    get_settings.cache_clear()
    s = get_settings()
    try:
        runtime.up(list(names), s, echo=lambda m: print(f"  [runtime] {m}"))
        yield s
    finally:
        runtime.down(list(names), s, echo=lambda _m: None)
        shutil.rmtree(home, ignore_errors=True)


def isolated(s: Settings, partitions: int = 4) -> Settings:
    return isolated_settings(s, "bench", partitions)


def regroup(s: Settings, suffix: str) -> Settings:
    """Same topic, another consumer group and HBase table (a second pass over the same input)."""
    return s.model_copy(
        update={
            "kafka_consumer_group": f"{s.kafka_consumer_group}-{suffix}",
            "hbase_table_prefix": f"{s.hbase_table_prefix}{suffix}",
        }
    )


def simulated_speed(seed: int = 7):
    """Speeds like the simulator's: 10% wild drivers around 160 km/h, others around 65."""
    rng = random.Random(seed)
    cache: dict[str, bool] = {}

    def speed(car: str, t: int) -> int:
        wild = cache.setdefault(car, rng.random() < 0.1)
        base = 160 if wild else 65
        return max(0, min(250, base + rng.randint(-30, 30)))

    return speed


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """Watches a processor's counters: first-event time, time the target count was reached, peak RSS."""

    def __init__(self, proc, target: int) -> None:
        self.proc, self.target = proc, target
        self.first = self.done = None
        self.first_n = 0
        self.peak_rss = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self.done is None:
            n = self.proc.counters.processed
            now = time.monotonic()
            if n and self.first is None:
                self.first, self.first_n = now, n
            if n >= self.target:
                self.done = now
            self.peak_rss = max(self.peak_rss, rss_mb())
            time.sleep(0.05)

    @property
    def rate(self) -> float:
        """Events/s from the first processed batch to the target (excludes group join)."""
        elapsed = (self.done or time.monotonic()) - (self.first or time.monotonic())
        return (self.target - self.first_n) / elapsed if elapsed > 0 else 0.0
