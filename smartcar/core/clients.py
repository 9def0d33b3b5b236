"""Client factories for every service, built from :mod:`smartcar.settings`.

Callers never pass hosts or ports: they hand over the settings their entry point resolved and get
a client pointed at whatever those name, embedded or production. The factories never resolve
settings themselves, so a test or a tool that isolates its settings (another home, topic prefix or
table prefix) cannot be silently mixed with the process-wide ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartcar.settings import Settings

if TYPE_CHECKING:
    import confluent_kafka
    import happybase
    import redis
    import sqlalchemy


def _hbase_options(settings: Settings) -> dict[str, object]:
    """happybase options from the settings (transport and protocol must match the server's)."""
    options: dict[str, object] = {
        "host": settings.hbase_host,
        "port": settings.hbase_port,
        "transport": settings.hbase_transport,
        "protocol": settings.hbase_protocol,
    }
    if settings.hbase_table_prefix:
        options["table_prefix"] = settings.hbase_table_prefix
    return options


def hbase_connection(settings: Settings, **kwargs: object) -> happybase.Connection:
    """A happybase connection using the configured transport and protocol."""
    import happybase

    options = {**_hbase_options(settings), "timeout": 60_000, **kwargs}
    return happybase.Connection(**options)


BULK_PRODUCER: dict[str, object] = {
    "linger.ms": 20,
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 500_000,
    "queue.buffering.max.kbytes": 262_144,
    "delivery.report.only.error": True,
}
"""Producer tuning for bulk loads (simulator, workloads): batch hard for tens of thousands of msgs/s.

Idempotence stays on (``kafka_producer``'s default): a retry after a broker failover must not write a
batch twice (docs/kafka-replication.md has the throughput it costs)."""


def kafka_producer(settings: Settings, **overrides: object) -> confluent_kafka.Producer:
    """A producer on the settings' client config: every record acknowledged by all in-sync replicas
    (``min.insync.replicas`` of them at least, 2 of 3), and idempotent, so the retries of a broker
    failover neither duplicate nor reorder a record.

    ``overrides`` are librdkafka properties (``BULK_PRODUCER`` for bulk loads, ``on_delivery``, ...);
    ``acks`` and ``enable.idempotence`` are not among them: every producer of the platform keeps both.
    """
    from confluent_kafka import Producer

    kept = {k for k in ("acks", "enable.idempotence") if k in overrides}
    if kept:
        raise ValueError(f"kafka_producer keeps acks=all and enable.idempotence=true; do not override {sorted(kept)}")
    config = {"linger.ms": 5, **overrides, "acks": "all", "enable.idempotence": True}
    return Producer(settings.kafka_client_config(**config))


def kafka_consumer(group: str, settings: Settings, **overrides: object) -> confluent_kafka.Consumer:
    """A consumer of ``group`` on the settings' client config, with the settings' session timeout."""
    from confluent_kafka import Consumer

    config = {"group.id": group, "session.timeout.ms": settings.kafka_session_timeout_ms, **overrides}
    return Consumer(settings.kafka_client_config(**config))


def redis_client(settings: Settings) -> redis.Redis:
    """A Redis client that returns ``str`` values."""
    import redis

    return redis.Redis.from_url(settings.redis_url, decode_responses=True)


def export_engine(settings: Settings) -> sqlalchemy.Engine:
    """SQLAlchemy engine of the export target database (the original's Sqoop target)."""
    import sqlalchemy

    return sqlalchemy.create_engine(settings.export_db_url, pool_pre_ping=True)


def hive_dbapi_connection(settings: Settings):
    """A DB-API connection to HiveServer2 (or Impala) through impyla."""
    from impala.dbapi import connect

    return connect(
        host=settings.hive_host,
        port=settings.hive_port,
        user=settings.hive_user,
        password=settings.hive_password or None,
        auth_mechanism=settings.hive_auth_mechanism,
        database=settings.hive_database,
    )
