"""Apache HBase 2.6.1 (the embedded default) through happybase and its Thrift1 gateway.

On a temporary home and free loopback ports: time to healthy, resident memory, batched puts
(batches of ``--batch`` rows x 8 columns, the DriverCarInfo shape) on one connection and on
``--writers`` at once, a full scan, point-get latency (median / p99), and a crash check: a writer
puts acknowledged batches, every process of the engine gets ``kill -9`` mid-write, the engine
restarts, and the acknowledged rows still present are counted.

Until commit e17c6bf this bench also ran the project's own RocksDB-backed Thrift1 server beside
HBase (``git checkout e17c6bf && .venv/bin/python bench/bench_hbase_thrift.py``); that run's
figures, and why the server was then removed, are in the README's HBase section.

    .venv/bin/python bench/bench_hbase_thrift.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import happybase
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smartcar.core.driving_record import COLUMNS, row_key
from smartcar.runtime.health import free_port
from smartcar.settings import get_settings


def make_rows(n: int, seed: int = 7) -> list[tuple[bytes, dict[bytes, bytes]]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        ts = f"2016010{rnd.randint(1, 9)}{rnd.randint(0, 235959):06d}"
        values = [ts, f"Z{i % 2600:04d}", str(rnd.randint(0, 3)), str(rnd.randint(0, 3)), "F", "N",
                  str(rnd.randint(0, 180)), f"A{rnd.randint(1, 25):02d}"]  # fmt: skip
        data = {c: v.encode() for c, v in zip(COLUMNS, values, strict=True)}
        rows.append((row_key(ts, f"Z{i:07d}").encode(), data))
    return rows


@dataclass
class Engine:
    """One HBase engine: how to start it, its processes, and its endpoint."""

    name: str
    start: Callable[[], None]
    stop: Callable[[], None]
    pids: Callable[[], list[int]]
    host: str = "127.0.0.1"
    port: int = 0
    figures: dict[str, float] = field(default_factory=dict)

    def connect(self) -> happybase.Connection:
        return happybase.Connection(self.host, self.port, timeout=60_000)


def wait_ready(engine: Engine, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = engine.connect()
            conn.tables()
            conn.close()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def real_hbase(home: Path) -> Engine:
    from smartcar import runtime

    os.environ.update({"SMARTCAR_HOME": str(home), "SMARTCAR_HBASE_HOST": "127.0.0.1",
                       "SMARTCAR_HBASE_PORT": str(free_port()), "SMARTCAR_HBASE_ZOOKEEPER_PORT": str(free_port())})  # fmt: skip
    get_settings.cache_clear()
    s = get_settings()
    quiet = {"echo": lambda _m: None}

    def pids() -> list[int]:
        return [p for st in runtime.status(s) if st.name == "hbase" for p in st.pids]

    return Engine("Apache HBase 2.6.1", lambda: runtime.up(["hbase"], s, **quiet),
                  lambda: runtime.down(["hbase"], s, **quiet), pids, port=s.hbase_port)  # fmt: skip


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with_children = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        total += sum(p.memory_info().rss for p in with_children)
    return total / 2**20


def put_rows(table: happybase.Table, rows, batch: int) -> None:
    for i in range(0, len(rows), batch):
        with table.batch() as b:
            for key, data in rows[i : i + batch]:
                b.put(key, data)


def throughput(engine: Engine, rows, batch: int, writers: int, gets: int) -> None:
    conn = engine.connect()
    name = f"bench_{os.getpid()}_{int(time.time())}"
    conn.create_table(name, {"cf1": {"max_versions": 5}})
    table = conn.table(name)
    try:
        put_rows(table, rows[: len(rows) // 5], batch)  # warm-up (JIT, connection)
        t = time.perf_counter()
        put_rows(table, rows, batch)
        engine.figures["put rows/s (1 conn)"] = len(rows) / (time.perf_counter() - t)

        conns = [engine.connect() for _ in range(writers)]
        slices = [rows[len(rows) * i // writers : len(rows) * (i + 1) // writers] for i in range(writers)]
        t = time.perf_counter()
        with ThreadPoolExecutor(writers) as pool:
            list(pool.map(lambda a: put_rows(a[0].table(name), a[1], batch), zip(conns, slices, strict=True)))
        engine.figures[f"put rows/s ({writers} conns)"] = len(rows) / (time.perf_counter() - t)
        for c in conns:
            c.close()

        t = time.perf_counter()
        scanned = sum(1 for _ in table.scan(batch_size=1000))
        engine.figures["scan rows/s"] = scanned / (time.perf_counter() - t)
        assert scanned == len(rows), (scanned, len(rows))

        lat = []
        for key in (random.choice(rows)[0] for _ in range(gets)):
            t = time.perf_counter()
            table.row(key)
            lat.append(time.perf_counter() - t)
        lat.sort()
        engine.figures["get median ms"] = statistics.median(lat) * 1000
        engine.figures["get p99 ms"] = lat[int(len(lat) * 0.99)] * 1000
    finally:
        conn.delete_table(name, disable=True)
        conn.close()


def crash_check(engine: Engine, batch: int, write_s: float) -> None:
    """kill -9 every process of the engine mid-write; count acknowledged rows after restart."""
    conn = engine.connect()
    name = f"crash_{os.getpid()}_{int(time.time())}"
    conn.create_table(name, {"cf1": {"max_versions": 1}})
    conn.close()
    acked: list[bytes] = []
    stop = threading.Event()

    def writer() -> None:
        table = engine.connect().table(name)
        n = 0
        while not stop.is_set():
            rows = make_rows(batch, seed=n)
            rows = [(b"%08d-" % n + key, data) for key, data in rows]
            try:
                put_rows(table, rows, batch)
            except Exception:
                return
            acked.extend(key for key, _ in rows)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(write_s)
    victims = [q for pid in engine.pids() for q in (psutil.Process(pid), *psutil.Process(pid).children(recursive=True))]
    for victim in victims:
        victim.send_signal(signal.SIGKILL)
    psutil.wait_procs(victims, timeout=30)
    stop.set()
    thread.join(60)
    t = time.perf_counter()
    engine.start()
    wait_ready(engine)
    engine.figures["restart after kill -9 s"] = time.perf_counter() - t
    conn = engine.connect()
    present = {key for key, _ in conn.table(name).scan(filter="KeyOnlyFilter()", batch_size=5000)}
    conn.delete_table(name, disable=True)
    conn.close()
    engine.figures["acked rows before kill"] = len(acked)
    engine.figures["acked rows after restart"] = len(present & set(acked))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--gets", type=int, default=2000)
    ap.add_argument("--crash-write-s", type=float, default=5.0)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-hbase-"))
    rows = make_rows(args.rows)
    engines: list[Engine] = []
    try:
        for engine in (real_hbase(tmp / "home"),):
            engines.append(engine)
            print(f"== {engine.name}", flush=True)
            t = time.perf_counter()
            engine.start()
            wait_ready(engine)
            engine.figures["start to healthy s"] = time.perf_counter() - t
            engine.figures["RSS idle MB"] = rss_mb(engine.pids())
            throughput(engine, rows, args.batch, args.writers, args.gets)
            engine.figures["RSS after load MB"] = rss_mb(engine.pids())
            crash_check(engine, 200, args.crash_write_s)
            engine.stop()
    finally:
        for engine in engines:
            engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nrows={args.rows:,} batch={args.batch} writers={args.writers} cpus={os.cpu_count()} "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'metric':<28}" + "".join(f"{e.name:>24}" for e in engines))
    for key in engines[0].figures:
        print(f"{key:<28}" + "".join(f"{e.figures.get(key, float('nan')):>24,.1f}" for e in engines))
    for e in engines:
        lost = e.figures["acked rows before kill"] - e.figures["acked rows after restart"]
        print(f"{e.name}: {lost:,.0f} acknowledged rows lost by kill -9 ({'PASS' if lost == 0 else 'FAIL'})")


if __name__ == "__main__":
    main()
