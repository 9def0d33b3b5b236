"""The stream page's last-hour figures: per minute, last lag and mean rate, summed over instances."""

from __future__ import annotations

import time

import pytest

from smartcar.core.clients import redis_client
from streaming import health as stream_health

pytestmark = pytest.mark.integration


def test_history_per_minute_summed_over_instances(redis_service) -> None:
    s = redis_service.model_copy(update={"kafka_consumer_group": f"history-{time.time_ns()}"})
    r = redis_client(s)
    minute = int(time.time()) // 60 * 60 - 120  # two minutes ago, whole minute
    samples = {
        "p1": [(minute + 5, 100, 1000.0), (minute + 50, 40, 3000.0), (minute + 65, 0, 500.0)],
        "p2": [(minute + 10, 7, 2000.0)],
    }
    for instance, rows in samples.items():
        r.zadd(stream_health.instances_key(s.kafka_consumer_group), {instance: time.time()})
        r.rpush(stream_health.history_key(s.kafka_consumer_group, instance), *[f"{t},{lag},{v}" for t, lag, v in rows])
    r.rpush(stream_health.history_key(s.kafka_consumer_group, "p1"), f"{time.time() - 7200:.0f},999,1.0")  # too old

    assert stream_health.read_history(s) == [(minute, 40 + 7, 2000.0 + 2000.0), (minute + 60, 0, 500.0)]

    # a heartbeat of the processor adds its sample to the history
    stream_health.publish("p3", {"lag": 3, "events_per_s": 12.5}, s)
    assert stream_health.read_history(s)[-1][1] >= 3
