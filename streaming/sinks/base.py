"""What every sink of the stream processor is: one batch in, durable on ``drain()``.

The processor hands each consumed batch to every sink in turn and calls ``drain()`` on all of them
before it commits offsets: that is the whole commit rule (nothing is committed that a sink has not
made durable). A sink may write in the background (HBase) or synchronously (Redis, Kafka topics);
``drain()`` re-raises a background failure, so a lost write stops the run before any commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from confluent_kafka import Message

    from streaming.events import DeadLetter, DrivingEvent
    from streaming.windows import Alert


@dataclass(frozen=True)
class Batch:
    """One consume() call's output: valid events, dead letters (with their source message), alerts."""

    events: list[DrivingEvent] = field(default_factory=list)
    dead_letters: list[tuple[Message, DeadLetter]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


class Sink(Protocol):
    def write_batch(self, batch: Batch) -> None:
        """Write (or start writing) what this sink keeps of ``batch``."""

    def drain(self) -> None:
        """Block until every batch written so far is durable; raise if one failed."""

    def close(self) -> None:
        """Release connections and threads (after a final ``drain``)."""
