"""Alerts -> Redis, idempotently, in one MULTI/EXEC per processor batch.

The original's ``SADD <yyyyMMdd> <car>-<timestamp>`` + ``EXPIRE`` is kept as is, so existing
readers still work; next to it a richer record (hash + per-car and latest indexes, see
:mod:`streaming.alerts_store`) names the rule, its version, the window bounds and the aggregate.
Every write is a set/hash/sorted-set upsert keyed by the alert id (rule, car, window start), so a
replay after a crash rewrites the same entries. The same transaction stores the processor's
commit floors, which must be durable before the Kafka offsets they justify are committed: one
hash field per partition holding ``{"end": offset read up to, "days": {day: floor}}`` as JSON
(a bare integer, the format before floors were kept per day, is read as the floor of its day).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence

from smartcar.core.clients import redis_client
from smartcar.settings import Settings
from streaming.alerts_store import LATEST_INDEX, LATEST_KEEP, alert_key, car_index_key
from streaming.offsets import SavedFloors
from streaming.sinks.base import Batch
from streaming.windows import Alert, day_of

FLOOR_PREFIX = "smartcar:stream:floor:"


def floor_key(group: str) -> str:
    return FLOOR_PREFIX + group


class RedisSink:
    """Alerts and commit floors; a :class:`~streaming.sinks.base.Sink` for the alerts of each batch."""

    def __init__(self, settings: Settings, group: str | None = None) -> None:
        self.settings = settings
        self.client = redis_client(self.settings)
        self.group = group or self.settings.kafka_consumer_group

    def write(self, alerts: Sequence[Alert], floors: Mapping[str, SavedFloors] | None = None) -> None:
        if not alerts and not floors:
            return
        pipe = self.client.pipeline(transaction=True)
        now = f"{time.time():.3f}"
        for a in alerts:
            pipe.sadd(a.redis_key, a.member)
            pipe.expire(a.redis_key, a.ttl_seconds)
            key = alert_key(a.alert_id)
            pipe.hset(key, mapping=a.as_record())
            pipe.hsetnx(key, "detected_at", now)
            pipe.expire(key, a.ttl_seconds)
            car_key = car_index_key(a.car_number)
            pipe.zadd(car_key, {a.alert_id: a.window_end})
            pipe.expire(car_key, a.ttl_seconds)
            pipe.zadd(LATEST_INDEX, {a.alert_id: a.window_end})
        if alerts:
            pipe.zremrangebyrank(LATEST_INDEX, 0, -LATEST_KEEP - 1)
        if floors:
            pipe.hset(floor_key(self.group), mapping={k: encode_floors(v) for k, v in floors.items()})
        pipe.execute()

    def write_batch(self, batch: Batch) -> None:
        self.write(batch.alerts)

    def drain(self) -> None:
        """Nothing to wait for: ``write`` returns after Redis executed the transaction."""

    def close(self) -> None:
        self.client.close()

    def read_floors(self) -> dict[str, SavedFloors]:
        return {k: decode_floors(v) for k, v in self.client.hgetall(floor_key(self.group)).items()}


def encode_floors(saved: SavedFloors) -> str:
    return json.dumps({"end": saved.end, "days": {str(d): f for d, f in sorted(saved.days.items())}})


def decode_floors(text: str) -> SavedFloors:
    """The stored JSON, or a bare integer floor (older format: one floor, no replay end)."""
    value = json.loads(text)
    if isinstance(value, int):
        return SavedFloors(0, {day_of(value): value})
    return SavedFloors(int(value["end"]), {int(d): int(f) for d, f in value["days"].items()})
