"""Client factories for every service, built from :mod:`smartcar.settings`.

Callers never pass hosts or ports: they ask for a client and get one pointed at whatever the
settings name, embedded or production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartcar.settings import Settings, get_settings

if TYPE_CHECKING:
    import confluent_kafka
    import happybase
    import redis
    import sqlalchemy


def _hbase_options(s: Settings) -> dict[str, object]:
    """happybase options from the settings (transport and protocol must match the server's)."""
    options: dict[str, object] = {
        "host": s.hbase_host,
        "port": s.hbase_port,
        "transport": s.hbase_transport,
        "protocol": s.hbase_protocol,
    }
    if s.hbase_table_prefix:
        options["table_prefix"] = s.hbase_table_prefix
    return options


def hbase_connection(settings: Settings | None = None, **kwargs: object) -> happybase.Connection:
    """A happybase connection using the configured transport and protocol."""
    import happybase

    options = {**_hbase_options(settings or get_settings()), "timeout": 60_000, **kwargs}
    return happybase.Connection(**options)


BULK_PRODUCER: dict[str, object] = {
    "linger.ms": 20,
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 500_000,
    "queue.buffering.max.kbytes": 262_144,
    "enable.idempotence": False,
    "delivery.report.only.error": True,
}
"""Producer tuning for bulk loads (simulator, workloads): batch hard for tens of thousands of msgs/s."""


def kafka_producer(settings: Settings | None = None, **overrides: object) -> confluent_kafka.Producer:
    """A producer on the settings' client config: every record acknowledged by all in-sync replicas.

    ``overrides`` are librdkafka properties (``BULK_PRODUCER`` for bulk loads, ``on_delivery``, ...).
    """
    from confluent_kafka import Producer

    s = settings or get_settings()
    return Producer(s.kafka_client_config(**{"acks": "all", "linger.ms": 5, **overrides}))


def kafka_consumer(group: str, settings: Settings | None = None, **overrides: object) -> confluent_kafka.Consumer:
    """A consumer of ``group`` on the settings' client config, with the settings' session timeout."""
    from confluent_kafka import Consumer

    s = settings or get_settings()
    config = {"group.id": group, "session.timeout.ms": s.kafka_session_timeout_ms, **overrides}
    return Consumer(s.kafka_client_config(**config))


def redis_client(settings: Settings | None = None) -> redis.Redis:
    """A Redis client that returns ``str`` values."""
    import redis

    s = settings or get_settings()
    return redis.Redis.from_url(s.redis_url, decode_responses=True)


def export_engine(settings: Settings | None = None) -> sqlalchemy.Engine:
    """SQLAlchemy engine of the export target database (the original's Sqoop target)."""
    import sqlalchemy

    s = settings or get_settings()
    return sqlalchemy.create_engine(s.export_db_url, pool_pre_ping=True)


def hive_dbapi_connection(settings: Settings | None = None):
    """A DB-API connection to HiveServer2 (or Impala) through impyla."""
    from impala.dbapi import connect

    s = settings or get_settings()
    return connect(
        host=s.hive_host,
        port=s.hive_port,
        user=s.hive_user,
        password=s.hive_password or None,
        auth_mechanism=s.hive_auth_mechanism,
        database=s.hive_database,
    )
