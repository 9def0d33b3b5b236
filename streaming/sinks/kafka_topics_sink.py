"""Dead letters and alerts -> their Kafka topics, acknowledged before the batch counts as written.

Dead letters keep the original line unchanged, with the reason and source offset as headers, so
nothing is lost and a fixed parser can replay them. Alerts go out as JSON keyed by car for
applications that subscribe instead of polling Redis; at least once: a replay after a crash may
publish an alert again with the same ``alert_id`` header, the consumer's key for dropping repeats.
"""

from __future__ import annotations

import json

from confluent_kafka import KafkaError, KafkaException

from smartcar.core.clients import kafka_producer
from smartcar.settings import Settings
from streaming.sinks.base import Batch


class KafkaTopicsSink:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.producer = kafka_producer(settings)
        self._errors: list[str] = []

    def _on_delivery(self, err: object, _msg: object) -> None:
        if err is not None:
            self._errors.append(str(err))

    def write_batch(self, batch: Batch) -> None:
        if not batch.dead_letters and not batch.alerts:
            return
        produce = self.producer.produce
        dlq = self.settings.kafka_dead_letter_topic
        for m, d in batch.dead_letters:
            headers = [("reason", d.reason.encode()), ("source", f"{m.topic()}:{m.partition()}:{m.offset()}".encode())]
            produce(dlq, m.value(), key=m.key(), headers=headers, on_delivery=self._on_delivery)
        topic = self.settings.kafka_alert_topic
        for a in batch.alerts:
            produce(
                topic,
                json.dumps(a.as_record()).encode(),
                key=a.car_number.encode(),
                headers=[("alert_id", a.alert_id.encode())],
                on_delivery=self._on_delivery,
            )
        self._flush()

    def _flush(self) -> None:
        """Wait for every record to be acknowledged; undelivered ones fail the batch (no commit)."""
        remaining = self.producer.flush(30)
        if remaining or self._errors:
            msg = f"dead-letter/alert topics: {remaining} undelivered, errors {self._errors[:3]}"
            self._errors.clear()
            raise KafkaException(KafkaError(KafkaError._MSG_TIMED_OUT, msg))

    def drain(self) -> None:
        """Nothing to wait for: ``write_batch`` returns only once the broker acknowledged."""

    def close(self) -> None:
        self.producer.flush(10)
        self.producer = None  # type: ignore[assignment]  # drop librdkafka's threads now
