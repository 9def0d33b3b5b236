"""The alert topic as an Airflow event source: the Kafka provider's shared-stream trigger, filtered by rule.

Used as the ``AssetWatcher`` of :data:`smartcar.warehouse.assets.STREAM_ALERTS` (Airflow 3
event-driven scheduling). The provider's :class:`KafkaSharedStreamTrigger` keeps one consumer in
the triggerer and commits an offset only after the asset event derived from the message is stored
in Airflow's database, so a triggerer crash redelivers instead of dropping (the incident log is
idempotent by alert id). This subclass only decides which messages matter: alerts of the rules
named in ``SMARTCAR_ALERT_RESPONSE_RULES`` become events; alerts of other rules are passed over;
a message that is not an alert record is rejected, which the provider re-publishes to the
dead-letter topic (``dlq_topic``) before moving past it, so nothing is lost silently.

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


class AlertTopicTrigger(KafkaSharedStreamTrigger):
    """Fires one event per alert of ``rules``; its payload is the alert record."""

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
        async for value in shared_stream:
            alert = parse_alert(value)
            if alert is None:
                log.warning("not an alert record, sent to the dead-letter topic: %r", value[:200] if value else value)
                reject_shared_stream_event()
            elif alert["rule"] in wanted:
                yield TriggerEvent(alert)
