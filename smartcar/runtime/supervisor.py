"""Bring the embedded services up in order, report them, and take them down in reverse.

State lives under ``<home>/run/<service>.json`` (pids and start times) and logs under
``<home>/logs``; a service whose recorded processes are alive and healthy is left alone, so
``up`` is safe to run twice. A failed start stops everything this call started.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from smartcar.runtime import process
from smartcar.runtime.health import port_open, wait_for
from smartcar.runtime.services import SERVICES, Service
from smartcar.runtime.services.base import ServiceError
from smartcar.settings import SERVICE_NAMES, Settings, get_settings


class RuntimeError_(Exception):
    """A runtime failure with a message meant for the operator (no traceback)."""


@dataclass
class ServiceStatus:
    name: str
    host: str
    port: int
    healthy: bool
    managed: bool
    pids: list[int]
    rss_bytes: int = 0  # proportional set size where available (see process.tree_rss)
    """Resident memory of the service's processes and their children (0 when not ours)."""

    def as_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "healthy": self.healthy,
            "managed": self.managed,
            "pid": self.pids[0] if self.pids else None,
            "pids": self.pids,
            "memory_mb": round(self.rss_bytes / 2**20, 1),
        }


def _state_file(settings: Settings, name: str) -> Path:
    return settings.home / "run" / f"{name}.json"


def _log_file(settings: Settings, proc_name: str) -> Path:
    return settings.home / "logs" / f"{proc_name}.log"


def resolve(names: list[str] | None) -> list[str]:
    """Validate service names and return them in start order."""
    if not names:
        return list(SERVICE_NAMES)
    unknown = sorted(set(names) - set(SERVICE_NAMES))
    if unknown:
        raise RuntimeError_(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICE_NAMES)}")
    return [n for n in SERVICE_NAMES if n in names]


def check_home(settings: Settings) -> None:
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RuntimeError_(f"SMARTCAR_HOME {home} cannot be created: {exc.strerror}") from exc
    if not os.access(home, os.R_OK | os.W_OK | os.X_OK):
        raise RuntimeError_(f"SMARTCAR_HOME {home} is not readable and writable by this user")


def _running(settings: Settings, name: str) -> list[process.RunningProcess]:
    return [p for p in process.load_state(_state_file(settings, name)) if p.alive()]


def _start_one(settings: Settings, service: Service) -> list[process.RunningProcess]:
    host, port = service.endpoint(settings)
    if port_open(host, port):
        raise RuntimeError_(
            f"{service.name}: port {host}:{port} is already in use by a process the platform did not start"
        )
    try:
        service.prepare(settings)
        specs = service.processes(settings)
    except ServiceError as exc:
        raise RuntimeError_(f"{service.name}: {exc}") from exc
    started: list[process.RunningProcess] = []
    for spec in specs:
        started.append(process.spawn(spec, _log_file(settings, spec.name)))
    process.save_state(_state_file(settings, service.name), started)

    def all_alive() -> bool:
        return all(p.alive() for p in started)

    ok = wait_for(lambda: service.healthy(settings), timeout=service.start_timeout, alive=all_alive)
    if ok:
        try:
            service.after_start(settings)
        except Exception as exc:
            ok = False
            reason = f"seeding failed: {exc}"
    else:
        dead = [p for p in started if not p.alive()]
        reason = f"{dead[0].name} exited" if dead else f"not healthy after {service.start_timeout:.0f}s"
    if not ok:
        logs = "\n".join(f"--- last lines of {p.log}\n{process.tail(p.log)}" for p in started)
        process.terminate(*started)
        _state_file(settings, service.name).unlink(missing_ok=True)
        raise RuntimeError_(f"{service.name} failed to start ({reason}).\n{logs}")
    return started


def up(names: list[str] | None = None, settings: Settings | None = None, echo=print) -> list[ServiceStatus]:
    """Start every managed service in ``names`` (default: all) that is not already running."""
    s = settings or get_settings()
    wanted = resolve(names)
    check_home(s)
    started_now: list[str] = []
    try:
        for name in wanted:
            service = SERVICES[name]
            if not s.is_managed(name):
                echo(f"{name}: external ({':'.join(map(str, service.endpoint(s)))}), not started")
                continue
            if _running(s, name) and service.healthy(s):
                echo(f"{name}: already running")
                continue
            # stale state (crashed service): stop leftovers before starting afresh
            process.terminate(*_running(s, name))
            echo(f"{name}: starting...")
            began = time.monotonic()
            _start_one(s, service)
            started_now.append(name)
            echo(f"{name}: healthy in {time.monotonic() - began:.1f}s")
    except BaseException:
        for name in reversed(started_now):
            _stop_service(s, name)
        raise
    return status(s)


def _stop_service(settings: Settings, name: str) -> bool:
    procs = process.load_state(_state_file(settings, name))
    process.terminate(*procs)
    _state_file(settings, name).unlink(missing_ok=True)
    return bool(procs)


def down(names: list[str] | None = None, settings: Settings | None = None, echo=print) -> None:
    """Stop, in reverse start order, exactly the processes ``up`` recorded."""
    s = settings or get_settings()
    for name in reversed(resolve(names)):
        if _stop_service(s, name):
            echo(f"{name}: stopped")


def status(settings: Settings | None = None) -> list[ServiceStatus]:
    s = settings or get_settings()
    result = []
    for name in SERVICE_NAMES:
        service = SERVICES[name]
        host, port = service.endpoint(s)
        running = _running(s, name)
        result.append(
            ServiceStatus(
                name=name,
                host=host,
                port=port,
                healthy=service.healthy(s),
                managed=s.is_managed(name),
                pids=[p.pid for p in running],
                rss_bytes=sum(process.tree_rss(p) for p in running),
            )
        )
    return result
