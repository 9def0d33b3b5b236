"""What every embedded service tells the supervisor: how to prepare, start, probe, seed and stop it."""

from __future__ import annotations

import signal
from pathlib import Path

from smartcar.runtime.health import port_open
from smartcar.runtime.process import ProcessSpec
from smartcar.settings import Settings


class ServiceError(Exception):
    """A service could not be prepared or started; the message says why in one sentence."""


class Service:
    name: str = ""
    start_timeout: float = 30.0
    stop_timeout: float = 20.0
    """Seconds between the stop signal and SIGKILL."""
    stop_signal: int = signal.SIGTERM
    signal_children: bool = True
    """Send the stop signal to every process of the service, not only to the ones ``up`` started
    (False where the started process stops its own children, as PostgreSQL's postmaster does)."""
    stops_last: tuple[str, ...] = ()
    """Process specs stopped only once the service's other processes are gone (a server they report to)."""
    restarts_missing_processes: bool = False
    """``up`` on a service some of whose processes died starts only the missing ones (the nodes of a
    replicated Kafka keep serving), instead of stopping the rest and starting afresh."""
    requires: tuple[str, ...] = ()
    """Services this one cannot start without (started first by ``up`` when they are managed)."""

    def endpoint(self, settings: Settings) -> tuple[str, int]:
        return settings.endpoint(self.name)

    def state_dir(self, settings: Settings) -> Path:
        return settings.home / self.name

    def prepare(self, settings: Settings) -> None:
        """One-time set-up before the first start (initdb, metadata DB, directories)."""
        self.state_dir(settings).mkdir(parents=True, exist_ok=True)

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        raise NotImplementedError

    def healthy(self, settings: Settings) -> bool:
        """Cheap probe used by ``status``; subclasses talk their protocol where it is cheap."""
        return port_open(*self.endpoint(settings))

    def detail(self, settings: Settings) -> str:
        """One line ``status`` shows beside the health (cluster size, replication); "" when nothing to add."""
        return ""

    def after_start(self, settings: Settings) -> None:
        """Seed the service once it answers (topics, users, tables); must be idempotent."""
