"""Create the platform's Kafka topics with explicit retention (idempotent).

Explicit ``retention.ms`` and partition counts matter: tansu (the embedded broker) needs the
retention set at creation and cannot add partitions later, and the original pilot cut
retention to 10 minutes (SEED_SPEC section 3), which is our default too.
"""

from __future__ import annotations

from confluent_kafka.admin import AdminClient, NewTopic

from smartcar.settings import Settings, get_settings


def platform_topics(settings: Settings) -> dict[str, int]:
    """Topic name -> partition count."""
    return {
        settings.kafka_topic: settings.kafka_partitions,
        settings.kafka_dead_letter_topic: 1,
        settings.kafka_alert_topic: 1,
    }


def ensure_topics(
    topics: dict[str, int] | None = None, settings: Settings | None = None, timeout: float = 15.0
) -> list[str]:
    """Create missing topics; returns the names created. Existing topics are left as they are."""
    s = settings or get_settings()
    wanted = topics if topics is not None else platform_topics(s)
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    missing = [
        NewTopic(name, num_partitions=parts, replication_factor=1, config={"retention.ms": str(s.kafka_retention_ms)})
        for name, parts in wanted.items()
        if name not in existing
    ]
    if not missing:
        return []
    created = []
    for name, future in admin.create_topics(missing, request_timeout=timeout).items():
        try:
            future.result(timeout)
            created.append(name)
        except Exception as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc) and "already exists" not in str(exc).lower():
                raise
    return created
