"""The embedded Apache Kafka keeps what it acknowledged across a restart, and keeps topics as configured."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

from simulator.scripted import produce
from smartcar.core.kafka_topics import ensure_topics, platform_topics, retention_ms
from tests.fixtures.kafka_reading import read_topic

pytestmark = pytest.mark.integration


def test_ten_thousand_events_survive_down_and_up(kafka_service, smartcar_cli) -> None:
    topic = f"restart-{uuid.uuid4().hex[:8]}"
    sent = [(f"A{i % 100:04d}", f"event-{i}") for i in range(10_000)]
    assert produce(sent, kafka_service, topic=topic, partitions=2) == 10_000

    smartcar_cli("down", "--only", "kafka", check=True)
    smartcar_cli("up", "--only", "kafka", check=True, timeout=180)

    values = [m.value() for m in read_topic(kafka_service, topic, 10_000, settle_s=0)]
    assert sorted(v.decode() for v in values) == sorted(value for _, value in sent)


def test_topic_retention_matches_the_promise(kafka_service) -> None:
    s = kafka_service
    assert s.kafka_retention_ms == 7 * 24 * 3_600_000
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in platform_topics(s)]
    values = {r.name: f.result(10)["retention.ms"].value for r, f in admin.describe_configs(resources).items()}
    assert values[s.kafka_topic] == str(7 * 24 * 3_600_000)
    assert int(values[s.kafka_dead_letter_topic]) >= int(values[s.kafka_topic])
    assert values[s.kafka_alert_topic] == str(7 * 24 * 3_600_000)


def test_drifted_retention_and_partitions_are_corrected(kafka_service, caplog) -> None:
    s = kafka_service.model_copy(update={"kafka_topic": f"drift-{uuid.uuid4().hex[:8]}", "kafka_partitions": 2})
    ensure_topics({s.kafka_topic: 1}, s)
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    entry = ConfigEntry("retention.ms", "600000", incremental_operation=AlterConfigOpType.SET)
    fix = ConfigResource(ConfigResource.Type.TOPIC, s.kafka_topic, incremental_configs=[entry])
    admin.incremental_alter_configs([fix])[fix].result(10)

    with caplog.at_level("WARNING", logger="smartcar.core.kafka_topics"):
        assert ensure_topics({s.kafka_topic: 2}, s) == []
    resource = ConfigResource(ConfigResource.Type.TOPIC, s.kafka_topic)
    assert admin.describe_configs([resource])[resource].result(10)["retention.ms"].value == str(
        retention_ms(s, s.kafka_topic)
    )
    assert len(admin.list_topics(timeout=10).topics[s.kafka_topic].partitions) == 2
    assert "corrected to" in caplog.text and "grown to 2" in caplog.text
