"""Where simulated lines go: a spool directory, a growing log file, or a Kafka topic.

- Spool files are written through :func:`smartcar.core.fileio.atomic_writer` (temp name, fsync, link into
  place): a Flume-style reader never sees a half file, and an interrupted run leaves nothing. Final names carry a per-run id, because a
  spooling reader needs unique, immutable names (the original failed on a re-delivered name,
  docs/known-faults.md#re-delivered-spool-file-fails-to-load).
- The growing log appends whole lines and flushes per paced step, for a ``tail -F`` style agent.
- Kafka: key = car number, value = the original CSV line, produced with batching through
  confluent-kafka; the broker is probed with a short timeout first so an unreachable broker is one
  clear error instead of a hang.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from simulator.cars import SimulatorError
from smartcar.core.fileio import atomic_writer

if TYPE_CHECKING:
    from smartcar.settings import Settings


def new_run_id() -> str:
    """``20261122T023000123-1a2b3c4d``: sortable by start time, unique per run.

    32 random bits: with 16 bits, 200 ids drawn in one millisecond collided about once in three runs.
    """
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}-{secrets.token_hex(4)}"


def ensure_directory(directory: str | Path) -> Path:
    """Create ``directory`` if needed and prove it is writable, or raise a clear error."""
    path = Path(directory).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-probe-{os.getpid()}-{secrets.token_hex(4)}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise SimulatorError(f"directory {str(path)!r} is not writable: {exc.strerror or exc}") from None
    return path


def write_spool_lines(
    headers: Iterable[str],
    blocks: Iterable[list[str]],
    directory: str | Path,
    final_name: str,
    on_lines: Callable[[int], None] | None = None,
) -> Path:
    """Write header lines then blocks of record lines as one spool file, reporting progress per block."""

    def chunks() -> Iterator[str]:
        yield "".join(f"{h}\n" for h in headers)
        for block in blocks:
            yield "\n".join(block) + "\n"
            if on_lines:
                on_lines(len(block))

    return write_spool_chunks(chunks(), directory, final_name)


def write_spool_chunks(chunks: Iterable[str], directory: str | Path, final_name: str) -> Path:
    """Write text chunks to ``directory/final_name`` atomically; returns the final path.

    Refuses to replace an existing file of that name (spool names are immutable).
    """
    if "/" in final_name or final_name.startswith("."):
        raise SimulatorError(f"invalid file name {final_name!r}")
    final = ensure_directory(directory) / final_name
    try:
        with atomic_writer(final, replace=False) as out:
            for chunk in chunks:
                out.write(chunk.encode("utf-8"))
    except FileExistsError:
        raise SimulatorError(f"{final} already exists; spool file names must be unique") from None
    return final


def _joined(lines: Iterable[str], batch: int = 20_000) -> Iterator[str]:
    it = iter(lines)
    while chunk := list(islice(it, batch)):
        yield "\n".join(chunk) + "\n"


def write_spool_file(lines: Iterable[str], directory: str | Path, final_name: str) -> Path:
    """Write ``lines`` (without newlines) as a complete file ``directory/final_name``, atomically."""
    return write_spool_chunks(_joined(lines), directory, final_name)


class LogAppender:
    """Appends whole lines to a growing log file (the original's ``SmartCarDriverInfo.log``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        ensure_directory(self.path.parent)
        try:
            self._file = open(self.path, "a", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115
        except OSError as exc:
            raise SimulatorError(f"cannot append to {str(self.path)!r}: {exc.strerror or exc}") from None
        self.lines = 0

    def write(self, lines: list[str], flush: bool = False) -> None:
        if lines:
            self._file.write("\n".join(lines) + "\n")
            self.lines += len(lines)
        if flush:
            self._file.flush()

    def close(self) -> None:
        self._file.flush()
        self._file.close()

    def __enter__(self) -> LogAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_QUIET = logging.getLogger("simulator.kafka")
"""librdkafka logs go here (not raw to stderr), so a failed probe prints one clear error."""


def check_broker(bootstrap: str, timeout: float = 5.0) -> None:
    """Raise a :class:`SimulatorError` quickly if no broker answers at ``bootstrap``."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    errors = []
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout).close()
            break
        except (OSError, ValueError) as exc:
            errors.append(f"{server.strip()}: {getattr(exc, 'strerror', None) or exc}")
    else:
        raise SimulatorError(f"Kafka broker at {bootstrap} is unreachable ({'; '.join(errors)})")
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, "logger": _QUIET})
    try:
        admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        detail = " ".join(exc.args[0].str().split())
        raise SimulatorError(f"Kafka broker at {bootstrap} does not answer ({detail})") from None


def ensure_topic(topic: str, settings: Settings, partitions: int | None = None) -> None:
    """Create ``topic`` with the platform's explicit retention if it does not exist."""
    from smartcar.core.kafka_topics import ensure_topics

    count = partitions or settings.kafka_partitions
    try:
        ensure_topics({topic: count}, settings, timeout=10.0)
    except Exception as exc:
        raise SimulatorError(f"cannot create Kafka topic {topic!r}: {exc}") from None


class KafkaSink:
    """Produces ``(car number, line)`` pairs to one topic; counts delivery failures."""

    def __init__(self, topic: str, bootstrap: str | None = None, partitions: int | None = None) -> None:
        from smartcar.core.clients import BULK_PRODUCER, kafka_producer
        from smartcar.settings import get_settings

        settings = get_settings()
        if bootstrap and bootstrap != settings.kafka_bootstrap:
            settings = settings.model_copy(update={"kafka_bootstrap": bootstrap})
        self.topic = topic
        self.bootstrap = settings.kafka_bootstrap
        check_broker(self.bootstrap)
        ensure_topic(topic, settings, partitions)
        self.failed = 0
        self.sent = 0
        self._last_error: str | None = None
        self._producer = kafka_producer(
            settings, **BULK_PRODUCER, **{"on_delivery": self._on_delivery, "logger": _QUIET}
        )

    def _on_delivery(self, err: object, _msg: object) -> None:
        if err is not None:
            self.failed += 1
            self._last_error = str(err)

    def send(self, keys: Iterable[str], lines: Iterable[str]) -> None:
        produce, poll, topic = self._producer.produce, self._producer.poll, self.topic
        count = 0
        for key, line in zip(keys, lines, strict=True):
            while True:
                try:
                    produce(topic, line, key)
                    break
                except BufferError:  # local queue full: let librdkafka deliver, then retry
                    poll(0.05)
            count += 1
        poll(0)
        self.sent += count

    def flush(self, timeout: float = 60.0) -> None:
        remaining = self._producer.flush(timeout)
        if remaining:
            raise SimulatorError(f"{remaining} Kafka messages still undelivered after {timeout:.0f} s")
        if self.failed:
            raise SimulatorError(f"{self.failed} Kafka messages failed: {self._last_error}")

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> KafkaSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # interrupted: still deliver what was produced, but do not mask the original error
            with contextlib.suppress(Exception):
                self._producer.flush(10.0)


class Pacer:
    """Sleeps so that step ``k`` is released at ``start + k * interval / speed`` (0 = no pacing)."""

    def __init__(self, interval: float, speed: float) -> None:
        if speed < 0:
            raise SimulatorError(f"speed must be >= 0, got {speed}")
        self.delay = interval / speed if speed > 0 else 0.0
        self.start = time.monotonic()

    @property
    def paced(self) -> bool:
        return self.delay > 0

    def wait(self, step: int) -> None:
        if self.delay:
            remaining = self.start + step * self.delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
