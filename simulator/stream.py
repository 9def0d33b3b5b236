"""Streams a driving day to Kafka and/or a growing log file, at real-time pace, N times faster, or flat out.

Real-time pace is the original's: every car appends one record (2 simulated seconds) every
100 ms of wall time. Steps are released on a monotonic schedule (``start + k * 0.1 / speed``), so
a slow broker or disk makes the run catch up instead of drifting. With ``speed=0`` whole blocks
go out at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator.driving_log import WALL_SECONDS_PER_STEP, DrivingGenerator
from simulator.incidents import Incidents
from simulator.sinks import KafkaSink, LogAppender, Pacer


@dataclass
class StreamStats:
    lines: int = 0
    headers: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


def stream_driving(
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    kafka: KafkaSink | None = None,
    log: LogAppender | None = None,
    speed: float = 1.0,
    minutes: float | None = None,
    start: int = 0,
    on_lines: Callable[[int], None] | None = None,
) -> StreamStats:
    """Emit the records of ``date`` to the given sinks in simulated-time order; returns counts."""
    gen = DrivingGenerator(date, cars, seed, incidents)
    pacer = Pacer(WALL_SECONDS_PER_STEP, speed)
    stats = StreamStats()
    started = time.perf_counter()
    if log is not None:
        headers = gen.headers()
        log.write(headers, flush=True)
        stats.headers = len(headers)
    n = gen.fleet.size
    for block in gen.line_blocks(minutes, start):
        steps = len(block) // n
        block_first = stats.lines // n
        keys = gen.keys(steps)
        if not pacer.paced:
            _emit(kafka, log, keys, block, flush=False)
            stats.lines += len(block)
            if on_lines:
                on_lines(len(block))
            continue
        for k in range(steps):
            pacer.wait(block_first + k)
            part = slice(k * n, (k + 1) * n)
            _emit(kafka, log, keys[part], block[part], flush=True)
            stats.lines += n
            if on_lines:
                on_lines(n)
    if log is not None:
        log.write([], flush=True)
    if kafka is not None:
        kafka.flush()
    stats.seconds = time.perf_counter() - started
    return stats


def _emit(kafka: KafkaSink | None, log: LogAppender | None, keys: list[str], lines: list[str], flush: bool) -> None:
    if log is not None:
        log.write(lines, flush=flush)
    if kafka is not None:
        kafka.send(keys, lines)
