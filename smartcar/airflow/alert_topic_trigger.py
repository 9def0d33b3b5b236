"""The alert topic as an Airflow event source: the Kafka provider's shared-stream trigger, filtered by rule.

Used as the ``AssetWatcher`` of :data:`smartcar.airflow.assets.STREAM_ALERTS` (Airflow 3
event-driven scheduling). The provider's :class:`KafkaSharedStreamTrigger` keeps one consumer in
the triggerer and commits an offset only after the asset event derived from the message is stored
in Airflow's database, so a triggerer crash redelivers instead of dropping (the incident log is
idempotent). This subclass only decides which messages matter: the first alert of each rule, car
and day, for the rules named in ``SMARTCAR_ALERT_RESPONSE_RULES``, becomes an event; later alerts
of the same car and day, and alerts of other rules, are passed over (they stay in Redis and on the
topic); a message that is not an alert record is rejected, which the provider re-publishes to the
dead-letter topic (``dlq_topic``) before moving past it, so nothing is lost silently.

Why one event per car and day, not per alert: the speeding rule fires per 30-second window, about
4,000 times for 100 cars in one driving hour; as one Airflow asset event each, the triggerer
persisted about 8 a second (measured on the README's first day) and Airflow's database grew by
every window. An operator acts on "car K0002 sped on 20200322", so events are bounded by the fleet.
The set of days already announced is in memory: after a triggerer restart a car's next alert of
the day fires again, which the incident log (keyed by rule, car and day) records as a repeat.

The connection (``kafka_default``, derived from the settings) must have ``enable.auto.commit``
off: the provider refuses to start otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airflow.providers.apache.kafka.triggers.shared_stream import KafkaSharedStreamTrigger
from airflow.triggers.base import TriggerEvent
from airflow.triggers.shared_stream import reject_shared_stream_event

log = logging.getLogger(__name__)

ALERT_FIELDS = ("id", "rule", "car_number", "window_start", "window_end", "value")
"""Fields of ``streaming.windows.Alert.as_record`` an incident needs; a message without them is no alert."""
DAYS_KEPT = 3
"""Business days whose announced cars are remembered; an older day's late alert may announce again."""


def parse_alert(value: bytes | str | None) -> dict[str, str] | None:
    """The alert record of one message, or ``None`` when the message is not one."""
    if value is None:
        return None
    try:
        record = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in ALERT_FIELDS):
        return None
    return record


class FirstPerCarDay:
    """Which (rule, car, day) was already announced, for the last :data:`DAYS_KEPT` days seen."""

    def __init__(self) -> None:
        self._days: dict[str, set[tuple[str, str]]] = {}

    def first(self, alert: dict[str, str]) -> bool:
        day = alert["window_start"][:8]
        cars = self._days.get(day)
        if cars is None:
            cars = self._days[day] = set()
            for old in sorted(self._days)[:-DAYS_KEPT]:
                del self._days[old]
        key = (alert["rule"], alert["car_number"])
        if key in cars:
            return False
        cars.add(key)
        return True


class AlertTopicTrigger(KafkaSharedStreamTrigger):
    """Fires one event per rule, car and day, for ``rules``; its payload is that day's first alert record."""

    def __init__(
        self,
        *,
        topics: Sequence[str],
        rules: Sequence[str],
        kafka_config_id: str = "kafka_default",
        poll_timeout: float = 1.0,
        dlq_topic: str | None = None,
    ) -> None:
        super().__init__(topics=topics, kafka_config_id=kafka_config_id, poll_timeout=poll_timeout, dlq_topic=dlq_topic)
        self.rules = sorted(rules)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        _, kwargs = super().serialize()
        return f"{type(self).__module__}.{type(self).__qualname__}", {**kwargs, "rules": self.rules}

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        wanted = set(self.rules)
        announced = FirstPerCarDay()
        async for value in shared_stream:
            alert = parse_alert(value)
            if alert is None:
                log.warning("not an alert record, sent to the dead-letter topic: %r", value[:200] if value else value)
                reject_shared_stream_event()
            elif alert["rule"] in wanted and announced.first(alert):
                yield TriggerEvent(alert)
