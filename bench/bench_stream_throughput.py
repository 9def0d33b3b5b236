"""Sustained end-to-end throughput of the stream processor: Kafka -> parse -> 3 rules -> HBase + Redis.

Produces N simulator-like events (default 300,000: 1,000 cars x 600 s) into a 4-partition topic,
then runs one processor over them twice: with the HBase sink and without it (same topic, fresh
group), printing events/s from the first processed batch to the last (group join excluded),
process CPU seconds and peak RSS. Run: ``.venv/bin/python bench/bench_stream_throughput.py [N_CARS SECONDS]``.
"""

from __future__ import annotations

import resource
import sys
import threading
import time

from workload import Sampler, isolated, regroup, services, simulated_speed

from simulator.scripted import car_numbers, produce, scripted_lines
from streaming.processor import ProcessorConfig, StreamProcessor


def one_pass(settings, n: int, hbase: bool) -> dict[str, float]:
    proc = StreamProcessor(settings, ProcessorConfig(hbase=hbase, stop_when_idle_s=5, idle_advance_after_s=3))
    sampler = Sampler(proc, n)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    thread = threading.Thread(target=proc.run)
    thread.start()
    thread.join()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "events_per_s": sampler.rate,
        "processor_cpu_s": cpu,
        "cpu_us_per_event": cpu / n * 1e6,
        "peak_rss_mb": sampler.peak_rss,
        "alerts": proc.counters.alerts,
    }


def main() -> None:
    cars = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    with services() as base:
        s = isolated(base, partitions=4)
        t = time.monotonic()
        n = produce(scripted_lines(car_numbers(cars), "20200322000000", seconds, simulated_speed()), s)
        print(f"produced {n:,} events ({cars} cars x {seconds} s) in {time.monotonic() - t:.1f}s")
        for label, hbase in (("without HBase", False), ("with HBase", True)):
            r = one_pass(regroup(s, "h" if hbase else "n"), n, hbase)
            print(
                f"{label:>14}: {r['events_per_s']:>9,.0f} events/s  processor CPU {r['processor_cpu_s']:.1f}s "
                f"({r['cpu_us_per_event']:.1f} us/event)  peak RSS {r['peak_rss_mb']:.0f} MB  alerts {r['alerts']:,}"
            )


if __name__ == "__main__":
    main()
