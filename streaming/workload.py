"""Scripted driving streams and a fast producer, for tests, benchmarks and demos.

Tests need streams whose alerts are known in advance (which car speeds in which window), which
the random simulator cannot promise; :func:`scripted_lines` builds them from a speed function.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator

from smartcar.clients import BULK_PRODUCER, kafka_producer
from smartcar.kafka_topics import ensure_topics, platform_topics
from smartcar.settings import Settings, get_settings
from streaming.events import epoch_timestamp, timestamp_epoch


def car_numbers(count: int, letter: str = "A") -> list[str]:
    """``A0001``.. (10,000 cars wrap onto further letters: B0001..)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    start = letters.index(letter)
    return [f"{letters[(start + i // 9999) % 26]}{i % 9999 + 1:04d}" for i in range(count)]


def scripted_lines(
    cars: list[str],
    start: str,
    seconds: int,
    speed: Callable[[str, int], int],
    step: int = 2,
    row: Callable[[str, int], tuple[int, int, str, str]] | None = None,
) -> Iterator[tuple[str, str]]:
    """``(car, line)`` pairs, time-major: every car emits one record each ``step`` seconds.

    ``speed(car, t)`` gives the speed at offset ``t`` seconds; ``row(car, t)`` optionally gives
    ``(speed_pedal, break_pedal, steer_angle, direct_light)`` (default ``1, 0, F, N``).
    """
    base = timestamp_epoch(start)
    if base is None:
        raise ValueError(f"bad start timestamp {start!r}")
    for t in range(0, seconds, step):
        ts = epoch_timestamp(base + t)
        for car in cars:
            acc, brk, steer, light = row(car, t) if row else (1, 0, "F", "N")
            yield car, f"{ts},{car},{acc},{brk},{steer},{light},{speed(car, t)},A01"


def produce(
    pairs: Iterable[tuple[str | None, str | bytes]],
    settings: Settings | None = None,
    topic: str | None = None,
    partitions: int | None = None,
) -> int:
    """Send ``(key, value)`` pairs (key ``None`` = unkeyed) and wait for delivery; returns the count."""
    s = settings or get_settings()
    topic = topic or s.kafka_topic
    ensure_topics({topic: partitions or s.kafka_partitions}, s)
    producer = kafka_producer(s, **BULK_PRODUCER)
    failed: list[str] = []

    def on_delivery(err: object, _msg: object) -> None:
        if err is not None:
            failed.append(str(err))

    count = 0
    for key, value in pairs:
        while True:
            try:
                producer.produce(topic, value, key, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        count += 1
        if count % 20000 == 0:
            producer.poll(0)
    remaining = producer.flush(120)
    if remaining or failed:
        raise RuntimeError(f"{remaining} undelivered, {len(failed)} failed: {failed[:3]}")
    return count


def isolated_settings(settings: Settings, prefix: str, partitions: int) -> Settings:
    """Settings with fresh driving, dead-letter and alert topics, consumer group and HBase table prefix.

    Tests and benchmarks share one broker and one HBase server; this keeps their streams apart.
    The topics are created (one hour retention) before returning.
    """
    tag = uuid.uuid4().hex[:8]
    isolated = settings.model_copy(
        update={
            "kafka_topic": f"{prefix}-{tag}",
            "kafka_dead_letter_topic": f"{prefix}-{tag}-dlq",
            "kafka_alert_topic": f"{prefix}-{tag}-alerts",
            "kafka_consumer_group": f"{prefix}-{tag}",
            "hbase_table_prefix": f"{prefix[0]}{tag}",
            "kafka_partitions": partitions,
            "kafka_retention_ms": 3_600_000,
        }
    )
    ensure_topics(platform_topics(isolated), isolated)
    return isolated


def isolation_env(settings: Settings) -> dict[str, str]:
    """The process environment plus the ``SMARTCAR_*`` overrides of :func:`isolated_settings`, for a child
    processor (``python -m streaming.cli run``) that must use the same topics, group and table."""
    s = settings
    return {
        **os.environ,
        "SMARTCAR_KAFKA_TOPIC": s.kafka_topic,
        "SMARTCAR_KAFKA_DEAD_LETTER_TOPIC": s.kafka_dead_letter_topic,
        "SMARTCAR_KAFKA_ALERT_TOPIC": s.kafka_alert_topic,
        "SMARTCAR_KAFKA_CONSUMER_GROUP": s.kafka_consumer_group,
        "SMARTCAR_HBASE_TABLE_PREFIX": s.hbase_table_prefix,
    }
