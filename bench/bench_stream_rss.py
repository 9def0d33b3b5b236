"""Resident memory of one processor holding window state for 10,000 cars.

Produces 10,000 cars x ``SECONDS`` simulated seconds (default 60 -> 300,000 events) and runs a
processor over them with and without the HBase sink, printing RSS before the run (imports and
clients), peak RSS, open window accumulators and throughput.
Run: ``.venv/bin/python bench/bench_stream_rss.py [CARS SECONDS]``.
"""

from __future__ import annotations

import contextlib
import sys
import threading

from workload import Sampler, isolated, regroup, rss_mb, services, simulated_speed

from simulator.scripted import car_numbers, produce, scripted_lines
from streaming.processor import ProcessorConfig, StreamProcessor


def main() -> None:
    cars = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    with services() as base:
        s = isolated(base, partitions=4)
        n = produce(scripted_lines(car_numbers(cars), "20200407000000", seconds, simulated_speed()), s)
        print(f"produced {n:,} events ({cars:,} cars x {seconds} s)")
        for label, hbase in (("without HBase", False), ("with HBase", True)):
            proc = StreamProcessor(regroup(s, "h" if hbase else "n"), ProcessorConfig(hbase=hbase, stop_when_idle_s=5))
            before = rss_mb()
            sampler = Sampler(proc, n)
            open_windows = []
            watcher = threading.Thread(
                target=lambda p=proc, sm=sampler, out=open_windows: out.append(_peak_windows(p, sm))
            )
            watcher.start()
            proc.run()
            watcher.join()
            print(
                f"{label:>14}: RSS before {before:.0f} MB, peak {sampler.peak_rss:.0f} MB; "
                f"peak open window accumulators {open_windows[0]:,}; {sampler.rate:,.0f} events/s"
            )


def _peak_windows(proc: StreamProcessor, sampler: Sampler) -> int:
    import time

    peak = 0
    while sampler.done is None:
        with contextlib.suppress(RuntimeError):  # dict changed size while the processor mutates it
            peak = max(peak, proc.engine.stats()["open_windows"])
        time.sleep(0.2)
    return peak


if __name__ == "__main__":
    main()
