"""Create the platform's Kafka topics and keep their retention and partitions as configured.

Retention is the promise of "no loss": the driving topic keeps 7 days (the pilot cut it to 10
minutes, docs/schedules.md#kafka-retention, and lost events whenever Storm fell behind), dead letters at least as
long, alerts as long as their Redis copy. A topic whose ``retention.ms`` drifted (changed by hand,
or created by an older version) is corrected, and one with fewer partitions than configured is
grown, each with a log line; partitions are never reduced (Kafka cannot).

Replication is the promise of surviving a broker: every topic has ``kafka_replication_factor``
replicas and ``min.insync.replicas`` of ``kafka_min_insync_replicas`` (2 of 3), so an ``acks=all``
write is on two brokers before it is acknowledged. A ``min.insync.replicas`` changed by hand is set
back; a topic with fewer replicas than configured (created by hand, or while the cluster had one
broker) is given more by a partition reassignment, which the caller supplies (``reassign``: the
runtime runs Kafka's own tool, confluent-kafka's AdminClient has no reassignment call), before its
``min.insync.replicas`` is raised, so the topic never refuses writes in between.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

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


def topic_config(settings: Settings, topic: str) -> dict[str, str]:
    """The topic-level settings the platform keeps on ``topic`` (set at creation, corrected on drift)."""
    return {
        "retention.ms": str(retention_ms(settings, topic)),
        "min.insync.replicas": str(settings.kafka_min_insync_replicas),
    }


Reassignment = dict[tuple[str, int], list[int]]
"""(topic, partition) -> the broker ids of its new replica list (leader first)."""


def replica_plan(replicas: dict[tuple[str, int], list[int]], brokers: list[int], factor: int) -> Reassignment:
    """New replica lists for the partitions with fewer than ``factor`` replicas; the others are left out.

    The current replicas stay (leader first); each added replica goes to the broker holding the fewest
    replicas of the given partitions so far (ties: lowest id), so the extra load spreads evenly.
    """
    factor = min(factor, len(brokers))
    load = Counter({b: 0 for b in brokers})
    load.update(b for current in replicas.values() for b in current)
    plan: Reassignment = {}
    for key in sorted(replicas):
        wanted = list(replicas[key])
        while len(wanted) < factor:
            extra = min((b for b in brokers if b not in wanted), key=lambda b: (load[b], b))
            wanted.append(extra)
            load[extra] += 1
        if len(wanted) > len(replicas[key]):
            plan[key] = wanted
    return plan


def ensure_topics(
    topics: dict[str, int],
    settings: Settings,
    timeout: float = 15.0,
    reassign: Callable[[Reassignment], None] | None = None,
) -> list[str]:
    """Create missing ``topics`` (name -> partitions) and correct drifted ones; returns the names created.

    ``reassign`` raises the replicas of under-replicated topics (the runtime's topic check passes one);
    without it such a topic is only reported.
    """
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    metadata = admin.list_topics(timeout=timeout)
    existing = metadata.topics
    missing = [
        NewTopic(
            name,
            num_partitions=parts,
            replication_factor=settings.kafka_replication_factor,
            config=topic_config(settings, name),
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
        _raise_replication(settings, metadata, present, reassign)
        _correct_drift(admin, settings, present, {name: len(existing[name].partitions) for name in present}, timeout)
    return created


def _raise_replication(
    settings: Settings, metadata, topics: dict[str, int], reassign: Callable[[Reassignment], None] | None
) -> None:
    replicas = {(name, p.id): list(p.replicas) for name in topics for p in metadata.topics[name].partitions.values()}
    plan = replica_plan(replicas, sorted(metadata.brokers), settings.kafka_replication_factor)
    if not plan:
        return
    short = sorted({topic for topic, _ in plan})
    if reassign is None:
        log.warning(
            "topics %s have fewer than %d replicas; `smartcar up --only kafka` (its topic check) raises them",
            ", ".join(short),
            settings.kafka_replication_factor,
        )
        return
    reassign(plan)
    for topic in short:
        before = min(len(replicas[key]) for key in replicas if key[0] == topic)
        log.warning(
            "topic %s had replication factor %d, raised to %d", topic, before, settings.kafka_replication_factor
        )


def _correct_drift(
    admin: AdminClient, settings: Settings, wanted: dict[str, int], partitions: dict[str, int], timeout: float
) -> None:
    grow = [NewPartitions(name, parts) for name, parts in wanted.items() if partitions[name] < parts]
    for name, future in admin.create_partitions(grow, request_timeout=timeout).items() if grow else []:
        future.result(timeout)
        log.warning("topic %s had %d partitions, grown to %d", name, partitions[name], wanted[name])
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in wanted]
    for resource, future in admin.describe_configs(resources, request_timeout=timeout).items():
        current = future.result(timeout)
        drifted = {
            key: (current[key].value, value)
            for key, value in topic_config(settings, resource.name).items()
            if current[key].value != value
        }
        if not drifted:
            continue
        entries = [ConfigEntry(k, new, incremental_operation=AlterConfigOpType.SET) for k, (_, new) in drifted.items()]
        fix = ConfigResource(ConfigResource.Type.TOPIC, resource.name, incremental_configs=entries)
        admin.incremental_alter_configs([fix], request_timeout=timeout)[fix].result(timeout)
        for key, (old, new) in drifted.items():
            log.warning("topic %s had %s=%s, corrected to %s", resource.name, key, old, new)


@dataclass(frozen=True)
class ReplicationState:
    """The cluster's replication at one moment, from the metadata of every topic (internal ones included)."""

    brokers: int
    partitions: int
    under_replicated: int
    """Partitions whose in-sync replicas are fewer than their replicas (a broker down or catching up)."""
    offline: int
    """Partitions without a leader: unreadable and unwritable until a replica returns."""


def replication_state(settings: Settings, timeout: float = 10.0) -> ReplicationState:
    """Count under-replicated and offline partitions of the whole cluster (``smartcar status``, tests)."""
    metadata = AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).list_topics(timeout=timeout)
    parts = [p for t in metadata.topics.values() for p in t.partitions.values()]
    return ReplicationState(
        brokers=len(metadata.brokers),
        partitions=len(parts),
        under_replicated=sum(1 for p in parts if len(p.isrs) < len(p.replicas)),
        offline=sum(1 for p in parts if p.leader < 0),
    )
