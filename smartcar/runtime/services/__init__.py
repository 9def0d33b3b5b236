"""One module per embedded service; :data:`SERVICES` maps names to definitions in start order."""

from __future__ import annotations

from smartcar.runtime.services.airflow import AirflowService
from smartcar.runtime.services.base import Service
from smartcar.runtime.services.hbase import HBaseService
from smartcar.runtime.services.hive import HiveService
from smartcar.runtime.services.kafka import KafkaService
from smartcar.runtime.services.postgres import PostgresService
from smartcar.runtime.services.redis import RedisService

SERVICES: dict[str, Service] = {
    s.name: s
    for s in (KafkaService(), RedisService(), HBaseService(), PostgresService(), HiveService(), AirflowService())
}

__all__ = ["SERVICES", "Service"]
