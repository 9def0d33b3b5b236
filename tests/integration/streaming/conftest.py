"""Isolation for stream tests sharing one broker, Redis and HBase: own topics, group and table per test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from simulator.scripted import isolated_settings, isolation_env
from smartcar.settings import Settings
from streaming.processor import ProcessorConfig, StreamProcessor


@pytest.fixture
def stream_settings(kafka_service, redis_service, hbase_service) -> Settings:
    """Settings of this test only: fresh topic (2 partitions), dead-letter topic, group and HBase table prefix."""
    return isolated_settings(hbase_service, "drive", partitions=2)


@pytest.fixture
def child_env(stream_settings: Settings) -> dict[str, str]:
    """Environment for a child processor with the same isolation."""
    return isolation_env(stream_settings)


@pytest.fixture
def run_processor() -> Iterator[Callable[..., StreamProcessor]]:
    """Start a processor in a thread; stopped (and joined) at the end of the test."""
    started: list[tuple[StreamProcessor, threading.Thread]] = []

    def start(settings: Settings, **config: object) -> StreamProcessor:
        proc = StreamProcessor(settings, ProcessorConfig(**config))
        proc.error = None  # type: ignore[attr-defined]

        def body() -> None:
            try:
                proc.run()
            except BaseException as exc:  # surfaced by the test via proc.error
                proc.error = exc  # type: ignore[attr-defined]
                raise

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        proc.thread = thread  # type: ignore[attr-defined]
        started.append((proc, thread))
        return proc

    yield start
    for proc, thread in started:
        proc.stop()
        thread.join(60)
    errors = [proc.error for proc, _ in started if proc.error is not None]  # type: ignore[attr-defined]
    if errors:
        raise errors[0]


@pytest.fixture
def wait_for() -> Callable[..., None]:
    return _wait_for


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
