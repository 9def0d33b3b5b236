"""Read API for the detectors' alerts in Redis (external apps, the CLI and the UI).

The original reader (``OverSpeedCarInfo``) deleted the date key after reading it, so a second
reader saw nothing (docs/known-faults.md#redis-reader-deletes-what-it-reads). Nothing here deletes or modifies: keys
only expire by the TTL the rule sets. Layout, shared with :mod:`streaming.sinks.redis_sink`:

* ``<yyyyMMdd>`` SET of ``<car>-<yyyyMMddHHmmss>``: the original's speeding set (other rules use
  their own key template, e.g. ``harsh_braking:<yyyyMMdd>``);
* ``smartcar:alert:<id>`` HASH: rule, version, car, window bounds, value, count, member, detected_at;
* ``smartcar:alerts:car:<car>`` ZSET of alert ids scored by window end (epoch seconds);
* ``smartcar:alerts:latest`` ZSET of the most recent alert ids (capped).
"""

from __future__ import annotations

from typing import Any

from smartcar.core.business_dates import BusinessDate
from smartcar.core.clients import redis_client
from smartcar.settings import Settings

ALERT_PREFIX = "smartcar:alert:"
CAR_INDEX_PREFIX = "smartcar:alerts:car:"
LATEST_INDEX = "smartcar:alerts:latest"
LATEST_KEEP = 10_000


def alert_key(alert_id: str) -> str:
    return ALERT_PREFIX + alert_id


def car_index_key(car_number: str) -> str:
    return CAR_INDEX_PREFIX + car_number


def speeding_cars(day: BusinessDate, settings: Settings, key_template: str = "{date}") -> list[str]:
    """Members ``<car>-<timestamp>`` of the speeding set of ``day``, sorted; non-destructive.

    ``day`` is parsed by the caller (CLI option, page query): it becomes a Redis key as is.
    """
    return sorted(redis_client(settings).smembers(key_template.format(date=day, rule="speeding")))


def _records(ids: list[str], settings: Settings) -> list[dict[str, Any]]:
    if not ids:
        return []
    client = redis_client(settings)
    pipe = client.pipeline(transaction=False)
    for alert_id in ids:
        pipe.hgetall(alert_key(alert_id))
    return [r for r in pipe.execute() if r]


def alerts_for_car(car_number: str, settings: Settings, limit: int = 1000) -> list[dict[str, Any]]:
    """Alert records of one car, newest window first."""
    ids = redis_client(settings).zrevrange(car_index_key(car_number), 0, limit - 1)
    return _records(ids, settings)


def latest_alerts(limit: int, settings: Settings) -> list[dict[str, Any]]:
    """The most recent alerts of every rule, newest window first."""
    ids = redis_client(settings).zrevrange(LATEST_INDEX, 0, max(limit, 1) - 1)
    return _records(ids, settings)


def latest_alert_day(settings: Settings) -> BusinessDate | None:
    """Business day of the newest alert window, or ``None`` before the first alert.

    The pages open on it: simulated and replayed days are rarely today's date.
    """
    newest = latest_alerts(1, settings)
    return BusinessDate(newest[0]["window_start"][:8]) if newest else None
