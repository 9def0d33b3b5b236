"""Stream scale-out and mixed load: 1 vs 2 processors in one consumer group, with or without a batch day.

Produces N events (default 600,000: 1,000 cars x 1,200 s) into a 4-partition topic, then drains it
with ``--processes`` separate ``smartcar stream run`` processes of one group (real processes: the
GIL would serialise threads), first one, then two, each pass with a fresh group and HBase table.
Throughput is events over the wall time from the first processed event to the last, read from
the processors' health records; the 2:1 ratio is printed.

``--with-batch`` additionally runs ``bench/bench_batch_day.py --skip-hbase-load`` (ingestion and the
five marts of one day) during each stream pass and prints the batch's wall time next to its time
alone. It needs the whole platform (``smartcar up``) and uses it through the SMARTCAR_* settings
(``SMARTCAR_BENCH_EXTERNAL=1`` is implied); without it the bench starts Kafka, Redis and HBase
itself.

    .venv/bin/python bench/bench_stream_scaleout.py [--cars 1000 --seconds 1200] [--with-batch]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from workload import isolated, regroup, services, simulated_speed

from simulator.scripted import car_numbers, isolation_env, produce, scripted_lines
from smartcar.settings import REPO_ROOT, Settings
from streaming.health import read_health

BATCH = [sys.executable, str(Path(__file__).with_name("bench_batch_day.py")), "--skip-hbase-load", "--cars", "100"]


def drain(s: Settings, n: int, processes: int, batch: bool) -> tuple[float, float | None]:
    """Events/s of ``processes`` processors draining ``n`` events; the batch's wall time if run."""
    cmd = [sys.executable, "-m", "streaming.cli", "run", "--stop-when-idle", "8", "--idle-advance-after", "3"]
    procs = [
        subprocess.Popen(cmd, env=isolation_env(s), cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(processes)
    ]
    batch_proc = subprocess.Popen(BATCH, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if batch else None
    batch_started = time.monotonic()
    first = last = None
    batch_s = None
    while True:
        processed = read_health(s)["processed"]
        now = time.monotonic()
        if processed and first is None:
            first = now
        if processed >= n and last is None:
            last = now
        if batch_proc is not None and batch_s is None and batch_proc.poll() is not None:
            batch_s = now - batch_started
        if last is not None and (batch_proc is None or batch_s is not None):
            break
        if all(p.poll() is not None for p in procs) and last is None:
            raise SystemExit(f"processors exited after {processed:,} of {n:,} events")
        time.sleep(0.2)
    for p in procs:
        p.wait(120)
    return n / (last - first), batch_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cars", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=1200)
    ap.add_argument("--with-batch", action="store_true")
    args = ap.parse_args()
    with services(external=True if args.with_batch else None) as base:
        s = isolated(base, partitions=4)
        n = produce(scripted_lines(car_numbers(args.cars), "20200322000000", args.seconds, simulated_speed()), s)
        print(f"produced {n:,} events into 4 partitions")
        alone = None
        if args.with_batch:
            t = time.monotonic()
            subprocess.run(BATCH, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            alone = time.monotonic() - t
            print(f"batch day alone: {alone:.1f} s")
        rates = {}
        for processes in (1, 2):
            rate, batch_s = drain(regroup(s, f"p{processes}"), n, processes, args.with_batch)
            rates[processes] = rate
            extra = f"; batch day meanwhile {batch_s:.1f} s (alone {alone:.1f} s)" if batch_s is not None else ""
            print(f"{processes} processor(s) in one group: {rate:,.0f} events/s{extra}")
        print(f"scale-out ratio 2:1 = {rates[2] / rates[1]:.2f} (cpus={os.cpu_count()})")


if __name__ == "__main__":
    main()
