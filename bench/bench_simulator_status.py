"""Benchmark: one full day of the status log for N cars (default 100) into a spool file.

Target (issue 4): 100 cars = 2,160,100 records + 100 header lines in under 20 s on this machine.
Prints generation-only and generate+write figures. Usage:
    .venv/bin/python bench/bench_simulator_status.py [--cars 100] [--date 20200322]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simulator.status_log import StatusGenerator, write_status_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    lines = sum(len(block) for block in StatusGenerator(args.date, args.cars, args.seed).line_blocks())
    generate = time.perf_counter() - started
    print(f"status generate only: {lines:,} records in {generate:.2f} s = {lines / generate:,.0f} lines/s")

    with tempfile.TemporaryDirectory(prefix="bench-status-") as tmp:
        started = time.perf_counter()
        path = write_status_file(tmp, args.date, args.cars, args.seed)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
        total = lines + args.cars
        print(
            f"status file: {total:,} lines ({size / 1e6:.1f} MB) in {seconds:.2f} s = {total / seconds:,.0f} lines/s"
            f"  [{Path(path).name}]"
        )
        print(f"target < 20 s for 100 cars: {'PASS' if seconds < 20 or args.cars != 100 else 'FAIL'}")


if __name__ == "__main__":
    main()
