"""Driving events into the real (embedded) Kafka broker: every line once, keyed by car, in car order."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from simulator.driving_log import iter_driving_events
from simulator.incidents import Incidents
from simulator.sinks import KafkaSink
from simulator.stream import stream_driving
from tests.fixtures.kafka_reading import read_topic

pytestmark = pytest.mark.integration
DATE = "20200322"


def consume_all(settings, topic: str, expected: int) -> list[tuple[str, str]]:
    return [(m.key().decode(), m.value().decode()) for m in read_topic(settings, topic, expected)]  # all keyed


def per_car(events: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in events:
        out.setdefault(key, []).append(value)
    return out


def test_stream_to_kafka_delivers_every_line_once(kafka_service) -> None:
    topic = f"sim-{uuid.uuid4().hex[:8]}"
    knobs = Incidents(malformed_rate=0.01)
    with KafkaSink(topic, kafka_service.kafka_bootstrap) as sink:
        stats = stream_driving(DATE, 5, seed=1, incidents=knobs, kafka=sink, speed=0, minutes=10)
    assert stats.lines == 5 * 300 and stats.headers == 0
    expected = list(iter_driving_events(DATE, 5, seed=1, incidents=knobs, minutes=10))
    got = consume_all(kafka_service, topic, len(expected))
    assert len(got) == len(expected)
    assert sorted(got) == sorted(expected)
    assert per_car(got) == per_car(expected)  # keyed by car: each car's records stay in order


def test_cli_to_kafka_at_pace(kafka_service) -> None:
    topic = f"sim-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "driving", "-d", DATE, "-n", "3", "--seed", "2",
         "--to-kafka", "--topic", topic, "--speed", "10", "--minutes", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"kafka:{topic}" in result.stdout
    assert time.monotonic() - started > 0.29  # 30 steps at 10 ms
    expected = list(iter_driving_events(DATE, 3, seed=2, minutes=1))
    got = consume_all(kafka_service, topic, len(expected))
    assert per_car(got) == per_car(expected)
