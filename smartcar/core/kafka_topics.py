"""Create the platform's Kafka topics and keep their retention and partitions as configured.

Retention is the promise of "no loss": the driving topic keeps 7 days (the pilot cut it to 10
minutes, docs/schedules.md#kafka-retention, and lost events whenever Storm fell behind), dead letters at least as
long, alerts as long as their Redis copy. A topic whose ``retention.ms`` drifted (changed by hand,
or created by an older version) is corrected, and one with fewer partitions than configured is
grown, each with a log line; partitions are never reduced (Kafka cannot).
"""

from __future__ import annotations

import logging

from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions, NewTopic

from smartcar.settings import Settings

log = logging.getLogger(__name__)


def platform_topics(settings: Settings) -> dict[str, int]:
    """Topic name -> partition count."""
    return {
        settings.kafka_topic: settings.kafka_partitions,
        settings.kafka_dead_letter_topic: 1,
        settings.kafka_alert_topic: 1,
    }


def retention_ms(settings: Settings, topic: str) -> int:
    """The configured retention of ``topic``: dead letters and alerts have their own settings."""
    if topic == settings.kafka_dead_letter_topic:
        return max(settings.kafka_dead_letter_retention_ms, settings.kafka_retention_ms)
    if topic == settings.kafka_alert_topic:
        return settings.kafka_alert_retention_ms
    return settings.kafka_retention_ms


def ensure_topics(topics: dict[str, int], settings: Settings, timeout: float = 15.0) -> list[str]:
    """Create missing ``topics`` (name -> partitions) and correct drifted ones; returns the names created."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    existing = admin.list_topics(timeout=timeout).topics
    missing = [
        NewTopic(
            name, num_partitions=parts, replication_factor=1, config={"retention.ms": str(retention_ms(settings, name))}
        )
        for name, parts in topics.items()
        if name not in existing
    ]
    created = []
    if missing:
        for name, future in admin.create_topics(missing, request_timeout=timeout).items():
            try:
                future.result(timeout)
                created.append(name)
            except Exception as exc:
                if "TOPIC_ALREADY_EXISTS" not in str(exc) and "already exists" not in str(exc).lower():
                    raise
    present = {name: parts for name, parts in topics.items() if name in existing}
    if present:
        _correct_drift(admin, settings, present, {name: len(existing[name].partitions) for name in present}, timeout)
    return created


def _correct_drift(
    admin: AdminClient, settings: Settings, wanted: dict[str, int], partitions: dict[str, int], timeout: float
) -> None:
    grow = [NewPartitions(name, parts) for name, parts in wanted.items() if partitions[name] < parts]
    for name, future in admin.create_partitions(grow, request_timeout=timeout).items() if grow else []:
        future.result(timeout)
        log.warning("topic %s had %d partitions, grown to %d", name, partitions[name], wanted[name])
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in wanted]
    for resource, future in admin.describe_configs(resources, request_timeout=timeout).items():
        current = future.result(timeout)["retention.ms"].value
        expected = str(retention_ms(settings, resource.name))
        if current == expected:
            continue
        entry = ConfigEntry("retention.ms", expected, incremental_operation=AlterConfigOpType.SET)
        fix = ConfigResource(ConfigResource.Type.TOPIC, resource.name, incremental_configs=[entry])
        admin.incremental_alter_configs([fix], request_timeout=timeout)[fix].result(timeout)
        log.warning("topic %s had retention.ms=%s, corrected to %s", resource.name, current, expected)
