"""Health of the stream processor(s), published to Redis by each instance and read by the UI/DAG.

Each running instance writes a hash ``smartcar:stream:health:<group>:<instance>`` about once a
second (expires after a minute) and scores itself in ``smartcar:stream:instances:<group>``.
:func:`read_health` folds the live instances into one flat dict so callers need no Redis knowledge.
"""

from __future__ import annotations

import time
from typing import Any

from smartcar.core.clients import redis_client
from smartcar.settings import Settings

HEALTH_PREFIX = "smartcar:stream:health:"
HISTORY_PREFIX = "smartcar:stream:history:"
HISTORY_SECONDS = 3600
"""Per-instance samples kept for the stream page's charts (one per heartbeat, the last hour)."""
INSTANCES_PREFIX = "smartcar:stream:instances:"
STALE_AFTER_S = 15.0
"""An instance without a heartbeat for this long is considered dead."""
NOT_WINDOWED = {
    "late": "late beyond grace (the window had closed)",
    "below_floor": "replayed below the floor (reported before a restart)",
    "too_old": "older than the state retention",
    "future": "dated too far ahead (dead letter)",
}
"""Why an event was not windowed; each is a health field ``not_windowed_<reason>`` (events)."""
SUMMED = (
    "lag",
    "events_per_s",
    "processed",
    "dead_letters",
    "alerts",
    "late_events",
    "open_windows",
    *(f"not_windowed_{reason}" for reason in NOT_WINDOWED),
)


def health_key(group: str, instance: str) -> str:
    return f"{HEALTH_PREFIX}{group}:{instance}"


def history_key(group: str, instance: str) -> str:
    return f"{HISTORY_PREFIX}{group}:{instance}"


def instances_key(group: str) -> str:
    return INSTANCES_PREFIX + group


def publish(instance: str, fields: dict[str, Any], settings: Settings, client: Any = None) -> None:
    """Write one instance's heartbeat (called by the processor)."""
    r = client or redis_client(settings)
    now = time.time()
    key = health_key(settings.kafka_consumer_group, instance)
    pipe = r.pipeline(transaction=False)
    pipe.hset(key, mapping={**{k: str(v) for k, v in fields.items()}, "last_heartbeat": f"{now:.3f}"})
    pipe.expire(key, 60)
    pipe.zadd(instances_key(settings.kafka_consumer_group), {instance: now})
    pipe.zremrangebyscore(instances_key(settings.kafka_consumer_group), 0, now - 3600)
    history = history_key(settings.kafka_consumer_group, instance)
    pipe.rpush(history, f"{now:.0f},{fields.get('lag', 0)},{fields.get('events_per_s', 0)}")
    pipe.ltrim(history, -HISTORY_SECONDS, -1)
    pipe.expire(history, HISTORY_SECONDS)
    pipe.execute()


def _number(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def read_health(settings: Settings, stale_after: float = STALE_AFTER_S) -> dict[str, Any]:
    """``{alive, instances, lag, events_per_s, processed, dead_letters, alerts, not_windowed, last_heartbeat, details}``.

    ``alive`` is true when at least one instance sent a heartbeat within ``stale_after`` seconds;
    ``last_heartbeat`` is an epoch float or ``None``; counters are summed over live instances
    (``processed``/``dead_letters`` count since each instance started); ``not_windowed`` maps each
    reason of :data:`NOT_WINDOWED` to the events stored (or dead-lettered) but not windowed for it.
    """
    r = redis_client(settings)
    now = time.time()
    beats = r.zrange(instances_key(settings.kafka_consumer_group), 0, -1, withscores=True)
    details = []
    for instance, beat in beats:
        record = r.hgetall(health_key(settings.kafka_consumer_group, instance))
        if record:
            record["instance"] = instance
            record["alive"] = now - beat <= stale_after
            details.append(record)
    live = [d for d in details if d["alive"]]
    out: dict[str, Any] = {k: sum(_number(d.get(k)) for d in live) for k in SUMMED}
    for k in SUMMED:
        if k != "events_per_s":
            out[k] = int(out[k])
    out["not_windowed"] = {reason: out[f"not_windowed_{reason}"] for reason in NOT_WINDOWED}
    out["events_per_s"] = round(out["events_per_s"], 1)
    out["alive"] = bool(live)
    out["instances"] = len(live)
    out["last_heartbeat"] = max((b for _, b in beats), default=None)
    out["details"] = details
    return out


def read_history(settings: Settings, minutes: int = 60) -> list[tuple[int, int, float]]:
    """``(minute start epoch, lag, events/s)`` per minute of the last ``minutes``, over all instances.

    Per instance and minute the last lag and the mean rate are taken, then summed over instances;
    a minute without any heartbeat is absent (the processor was down or not yet started).
    """
    r = redis_client(settings)
    since = time.time() - minutes * 60
    per_minute: dict[int, tuple[int, float]] = {}
    for instance, _beat in r.zrange(instances_key(settings.kafka_consumer_group), 0, -1, withscores=True):
        buckets: dict[int, list[tuple[int, float]]] = {}
        for sample in r.lrange(history_key(settings.kafka_consumer_group, instance), 0, -1):
            t, lag, rate = sample.split(",")
            if float(t) >= since:
                buckets.setdefault(int(float(t)) // 60 * 60, []).append((int(float(lag)), float(rate)))
        for minute, samples in buckets.items():
            lag, rate = per_minute.get(minute, (0, 0.0))
            per_minute[minute] = (lag + samples[-1][0], rate + sum(x for _, x in samples) / len(samples))
    return [(m, lag, round(rate, 1)) for m, (lag, rate) in sorted(per_minute.items())]
