"""Flume-style tail agent: follow the growing driving log and send new lines to Kafka, losing none.

The original ran ``tail -F`` in an exec source with a memory channel (docs/original-system.md#flume-tail-flow): lines in
the channel were lost on any restart, and a restart re-read from the end of the file. This agent
remembers the byte offset and inode of the file in a small JSON state file and moves the offset
forward only after the Kafka producer has confirmed delivery (``flush``) of every line before it.
A crash therefore re-sends at most the last unconfirmed batch (at-least-once, never a gap).

Only complete lines (ending in a newline) are read; a half-written last line waits for the next
poll. Lines that do not start with 14 digits (the per-car header lines) are dropped like the
original's regex filter and counted. Messages are the raw line (no newline) keyed by car number, so
one car's events stay in order in one partition. If the inode changes (the file was replaced) or the
file shrinks below the offset (truncated, e.g. the simulator restarted with ``append=false``), the
agent starts over at byte 0 of the new content.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from threading import Event
from typing import Any

from smartcar.core.fileio import atomic_writer
from smartcar.ingest import interceptors
from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass
class TailState:
    path: str
    inode: int
    offset: int
    sent: int = 0
    filtered: int = 0


@dataclass
class PollResult:
    sent: int
    filtered: int
    offset: int


class DeliveryError(RuntimeError):
    """Kafka did not confirm every message of a batch; the offset was not advanced."""


def state_path(settings: Settings) -> Path:
    return settings.home / "ingest" / "tail-state.json"


def load_state(path: Path) -> TailState | None:
    if not path.exists():
        return None
    return TailState(**json.loads(path.read_text()))


def save_state(path: Path, state: TailState) -> None:
    with atomic_writer(path) as out:
        out.write(json.dumps(asdict(state)).encode())


class TailAgent:
    """Follows one file; ``poll()`` ships what is new, ``run()`` polls until stopped."""

    def __init__(
        self,
        source: Path | None = None,
        *,
        settings: Settings | None = None,
        producer: Any = None,
        topic: str | None = None,
        state_file: Path | None = None,
        batch_lines: int = 1000,
    ) -> None:
        s = settings or get_settings()
        self.source = source or s.driving_log_path
        self.topic = topic or s.kafka_topic
        self.state_file = state_file or state_path(s)
        self.batch_lines = batch_lines
        if producer is None:
            from smartcar.core.clients import kafka_producer

            producer = kafka_producer(s, **{"linger.ms": 20})
        self.producer = producer
        self.state = load_state(self.state_file)

    def _start_offset(self, st: os.stat_result) -> int:
        state = self.state
        if state is None or state.path != str(self.source):
            return 0
        if state.inode != st.st_ino:
            log.warning("%s was replaced (inode %s -> %s): starting at byte 0", self.source, state.inode, st.st_ino)
            return 0
        if st.st_size < state.offset:
            log.warning("%s shrank below offset %d: truncated, starting at byte 0", self.source, state.offset)
            return 0
        return state.offset

    def poll(self) -> PollResult:
        """Ship every complete new line, batch by batch; each batch is committed after its flush."""
        if not self.source.exists():
            return PollResult(0, 0, self.state.offset if self.state else 0)
        sent = filtered = 0
        with open(self.source, "rb") as f:
            st = os.fstat(f.fileno())
            offset = self._start_offset(st)
            f.seek(offset)
            previous = self.state
            if previous is None or previous.inode != st.st_ino or offset == 0:
                self.state = TailState(str(self.source), st.st_ino, offset)
            while True:
                lines: list[bytes] = []
                consumed = 0
                for line in f:
                    if not line.endswith(b"\n"):
                        break  # half-written last line: wait for the rest
                    lines.append(line)
                    consumed += len(line)
                    if len(lines) >= self.batch_lines:
                        break
                if not lines:
                    break
                batch_sent, batch_filtered = self._send(lines)
                offset += consumed
                f.seek(offset)
                self.state.offset = offset
                self.state.sent += batch_sent
                self.state.filtered += batch_filtered
                save_state(self.state_file, self.state)
                sent += batch_sent
                filtered += batch_filtered
        return PollResult(sent, filtered, offset)

    def _send(self, lines: list[bytes]) -> tuple[int, int]:
        errors: list[str] = []

        def delivered(err: Any, _msg: Any) -> None:
            if err is not None:
                errors.append(str(err))

        sent = 0
        for line in lines:
            if not interceptors.keep(line):
                continue
            value = line.rstrip(b"\r\n")
            key = value.split(b",", 2)[1] if value.count(b",") >= 1 else None
            while True:
                try:
                    self.producer.produce(self.topic, value=value, key=key, on_delivery=delivered)
                    break
                except BufferError:
                    self.producer.poll(0.1)
            sent += 1
        remaining = self.producer.flush(30)
        if remaining or errors:
            raise DeliveryError(f"{remaining} undelivered, errors: {errors[:3]}")
        return sent, len(lines) - sent

    def run(self, stop: Event | None = None, interval: float = 0.2) -> None:
        """Poll until ``stop`` is set (Ctrl-C also stops, after the current batch)."""
        stop = stop or Event()
        while not stop.is_set():
            try:
                result = self.poll()
            except DeliveryError as exc:
                log.error("Kafka delivery failed, will retry from the last committed offset: %s", exc)
                self.state = load_state(self.state_file)
                stop.wait(2.0)
                continue
            if result.sent == 0 and result.filtered == 0:
                stop.wait(interval)
            else:
                time.sleep(0)
