"""Alert latency at a paced 1,000 events/s (the original's 100 cars at 10 records/s each).

A producer paces 100 cars (20 of them fast) at 1,000 events/s for ``DURATION`` wall seconds
(simulated time runs 20x, as in the original simulator: one 2-second step per 100 ms). A speeding
window [s, s+30) can close once its partition has an event of that day at or after ``s + 30 + grace``; the
latency of an alert is the time from the producer handing over the last event of that second to
the alert record's ``detected_at`` in Redis. Printed with and without the HBase sink.
Run: ``.venv/bin/python bench/bench_stream_latency.py [DURATION_S]``.
"""

from __future__ import annotations

import sys
import threading
import time

from workload import isolated, services

from simulator.scripted import car_numbers
from smartcar.core.clients import kafka_producer, redis_client
from streaming.alerts_store import LATEST_INDEX, alert_key
from streaming.events import epoch_timestamp, timestamp_epoch
from streaming.processor import ProcessorConfig, StreamProcessor

RATE = 1000
CARS = car_numbers(100, "L")
FAST = set(CARS[::5])
GRACE = 5


def paced_producer(settings, duration: float, sent_at: dict[int, float], start: str) -> None:
    producer = kafka_producer(settings, **{"linger.ms": 2})
    base = timestamp_epoch(start)
    t0 = time.monotonic()
    step = 0
    while time.monotonic() - t0 < duration:
        epoch = base + 2 * step
        ts = epoch_timestamp(epoch)
        for car in CARS:
            speed = 120 if car in FAST else 60
            producer.produce(settings.kafka_topic, f"{ts},{car},1,0,F,N,{speed},A01", car)
        producer.flush(5)
        sent_at[epoch] = time.time()
        step += 1
        # 100 events per step, RATE events/s -> one step every 100 ms
        next_at = t0 + step * len(CARS) / RATE
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def measure(settings, duration: float, hbase: bool, start: str) -> list[float]:
    proc = StreamProcessor(settings, ProcessorConfig(hbase=hbase, poll_timeout_s=0.05))
    runner = threading.Thread(target=proc.run)
    runner.start()
    time.sleep(8)  # group join
    sent_at: dict[int, float] = {}
    paced_producer(settings, duration, sent_at, start)
    time.sleep(3)
    proc.stop()
    runner.join()
    r = redis_client(settings)
    latencies = []
    for alert_id in r.zrange(LATEST_INDEX, 0, -1):
        rec = r.hgetall(alert_key(alert_id))
        if not rec or not rec["car_number"].startswith("L") or rec.get("rule") != "speeding":
            continue
        closable = timestamp_epoch(rec["window_end"]) + GRACE
        closable += closable % 2  # events are stamped every 2 s
        if closable in sent_at:
            latencies.append(float(rec["detected_at"]) - sent_at[closable])
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 60
    with services() as base:
        for label, hbase, start in (("without HBase", False, "20200405000000"), ("with HBase", True, "20200406000000")):
            s = isolated(base, partitions=4)
            lat = measure(s, duration, hbase, start)
            if not lat:
                print(f"{label}: no alerts measured")
                continue
            print(
                f"{label:>14}: {len(lat)} alerts at {RATE} events/s for {duration:.0f}s: "
                f"p50 {pct(lat, 0.5) * 1000:.0f} ms, p99 {pct(lat, 0.99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
