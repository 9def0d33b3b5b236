"""Bring the embedded services up in order, report them, and take them down in reverse.

Run records live under ``<home>/run/<service>.json`` (pid and start ticks) and logs under
``<home>/logs``. Which processes are the platform's is :mod:`smartcar.runtime.identity`'s answer
(the marker in their environment, or a record whose pid and start ticks still match, and their
descendants), so a wall-clock step or lost records disown nothing: ``up`` adopts a healthy service
it finds running and says so, ``down`` stops every process of the home, whole trees, waits for
their ports to close and names what it could not stop. A failed or interrupted start stops
everything of that service, then what the same call started before it.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from smartcar.core.fileio import atomic_write_text
from smartcar.runtime import identity, process
from smartcar.runtime.health import port_open, wait_for
from smartcar.runtime.services import SERVICES, Service
from smartcar.runtime.services.base import ServiceError
from smartcar.settings import PROFILE_FILE, SERVICE_NAMES, Settings, get_settings, recorded_profile

PORT_CLOSE_TIMEOUT_S = 15.0


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
    """The processes ``up`` started (their children are counted in the memory, not listed)."""
    rss_bytes: int = 0  # proportional set size where available (see process.tree_rss)
    """Resident memory of the service's processes and their children (0 when not ours)."""
    detail: str = ""
    """What the service adds to its health (Kafka: brokers and under-replicated partitions)."""

    def as_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "healthy": self.healthy,
            "managed": self.managed,
            "pid": self.pids[0] if self.pids else None,
            "pids": self.pids,
            "memory_mb": round(self.rss_bytes / 2**20, 1),
            "detail": self.detail,
        }


@dataclass
class StopResult:
    name: str
    stopped: int = 0
    killed: int = 0
    """Of ``stopped``, how many needed SIGKILL."""
    survivors: list[str] = field(default_factory=list)
    open_ports: list[str] = field(default_factory=list)
    """``host:port still open (held by ...)`` for each port of the service that did not close."""

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.open_ports

    def sentence(self) -> str:
        if not self.ok:
            parts = [f"{s} still running" for s in self.survivors] + [f"port {p}" for p in self.open_ports]
            return f"{self.name}: could not be stopped: {'; '.join(parts)}"
        if not self.stopped:
            return f"{self.name}: not running"
        noun = "process" if self.stopped == 1 else "processes"
        forced = f", {self.killed} after SIGKILL" if self.killed else ""
        return f"{self.name}: stopped ({self.stopped} {noun}{forced})"


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


def _with_requirements(names: list[str], settings: Settings) -> list[str]:
    wanted = set(names)
    for name in names:
        wanted |= {r for r in SERVICES[name].requires if settings.is_managed(r)}
    return [n for n in SERVICE_NAMES if n in wanted]


def check_home(settings: Settings) -> None:
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RuntimeError_(f"SMARTCAR_HOME {home} cannot be created: {exc.strerror}") from exc
    if not os.access(home, os.R_OK | os.W_OK | os.X_OK):
        raise RuntimeError_(f"SMARTCAR_HOME {home} is not readable and writable by this user")


def record_profile(settings: Settings) -> None:
    """Keep the home's profile in ``<home>/profile``; refuse to bring a home up with another one.

    The engines keep different state per profile (one Kafka log directory or three, Spark's or Hive's
    metastore, the simple or the FAB users): a home switched in place would start half-empty engines
    beside stale ones, so switching means a new ``SMARTCAR_HOME``.
    """
    home = settings.home
    recorded = recorded_profile(home)
    if recorded == settings.profile:
        return
    # a home from before profiles existed is an embedded one (Airflow's folder does not count: the settings of
    # any command that talks to Airflow create it)
    has_state = any((home / name).exists() for name in SERVICE_NAMES if name != "airflow")
    if recorded is not None or (has_state and settings.profile != "embedded"):
        raise RuntimeError_(
            f"SMARTCAR_HOME {home} was brought up with the {recorded or 'embedded'} profile, not {settings.profile}:"
            f" stop it (smartcar down) and use another SMARTCAR_HOME for the {settings.profile} profile"
        )
    atomic_write_text(home / PROFILE_FILE, f"{settings.profile}\n")


def _owned(settings: Settings) -> dict[str, list[identity.OwnedProcess]]:
    """Every live process of the home, by service (records of every service are consulted)."""
    records = [
        rec
        for name in SERVICE_NAMES
        for rec in process.as_recorded(name, process.load_records(_state_file(settings, name)))
    ]
    by_service: dict[str, list[identity.OwnedProcess]] = defaultdict(list)
    for owned in identity.owned_processes(settings.home, records):
        by_service[owned.service].append(owned)
    return by_service


def _adopt(settings: Settings, name: str, owned: list[identity.OwnedProcess]) -> None:
    """Rewrite a service's run record from the processes found (records lost or stale)."""
    recorded = {r.pid for r in process.load_records(_state_file(settings, name)) if process.is_running(r)}
    roots = [o for o in owned if o.root]
    if {o.pid for o in roots} == recorded:
        return
    records = []
    for o in roots:
        ticks = identity.start_ticks(o.pid)
        if ticks is None:
            continue
        try:
            proc_name = o.process.name()
        except psutil.Error:
            continue
        records.append(process.RunningProcess(proc_name, o.pid, ticks, identity.boot_id(), "", "adopted"))
    process.save_records(_state_file(settings, name), records)


def _listening(owned: list[identity.OwnedProcess]) -> set[tuple[str, int]]:
    return identity.listening_ports([o.process for o in owned])


def _stop_service(settings: Settings, service: Service, owned: list[identity.OwnedProcess] | None = None) -> StopResult:
    """Stop every process of ``service`` in the home, wait for its ports to close, report the truth."""
    result = StopResult(service.name)
    if owned is None:
        owned = _owned(settings).get(service.name, [])
    ports = _listening(owned)

    def phase(procs: list[identity.OwnedProcess], last: bool) -> list[identity.OwnedProcess]:
        return [o for o in procs if (o.component in service.stops_last) == last]

    for last in (False, True):  # the service's stops_last processes (a server the others report to) after the rest
        batch = phase(owned, last)
        for _ in range(3):  # a process born during the stop (a task starting) is caught by the next round
            if not batch:
                break
            killed, survivors = process.stop(
                [o.process for o in batch],
                [o.process for o in batch if o.root],
                stop_signal=service.stop_signal,
                signal_children=service.signal_children,
                timeout=service.stop_timeout,
            )
            result.stopped += len(batch) - len(survivors)
            result.killed += killed
            owned = _owned(settings).get(service.name, [])
            ports |= _listening(owned)
            batch = phase(owned, last)
    result.survivors = [identity.describe(o.process) for o in owned]
    deadline = time.monotonic() + PORT_CLOSE_TIMEOUT_S
    still_open = ports
    while still_open and time.monotonic() < deadline:
        still_open = {(host, port) for host, port in still_open if port_open(host, port)}
        if still_open:
            time.sleep(0.2)
    for host, port in sorted(still_open):
        holder = identity.port_holder(port)
        held = f" (held by {identity.describe(holder)})" if holder else ""
        result.open_ports.append(f"{host}:{port} still open{held}")
    if result.ok:
        _state_file(settings, service.name).unlink(missing_ok=True)
    return result


def _start_one(settings: Settings, service: Service) -> None:
    host, port = service.endpoint(settings)
    if port_open(host, port):
        raise RuntimeError_(
            f"{service.name}: {identity.port_in_use(host, port)}, which is not this platform's"
            f" (SMARTCAR_HOME={settings.home}); stop it or give the platform another port"
        )
    try:
        service.prepare(settings)
        specs = service.processes(settings)
    except ServiceError as exc:
        raise RuntimeError_(f"{service.name}: {exc}") from exc
    started: list[process.RunningProcess] = []
    reason = ""
    try:
        for spec in specs:
            started.append(
                process.spawn(spec, _log_file(settings, spec.name), home=settings.home, service=service.name)
            )
            process.save_records(_state_file(settings, service.name), started)

        ok = wait_for(
            lambda: service.healthy(settings),
            timeout=service.start_timeout,
            alive=lambda: all(process.is_running(p) for p in started),
        )
        if ok:
            try:
                service.after_start(settings)
            except Exception as exc:
                ok = False
                reason = f"seeding failed: {exc}"
        else:
            dead = [p for p in started if not process.is_running(p)]
            reason = f"{dead[0].name} exited" if dead else f"not healthy after {service.start_timeout:.0f}s"
    except BaseException:
        _stop_service(settings, service)
        raise
    if not ok:
        logs = "\n".join(f"--- last lines of {p.log}\n{process.tail(p.log)}" for p in started)
        stopped = _stop_service(settings, service)
        left = "" if stopped.ok else f"\n{stopped.sentence()}"
        raise RuntimeError_(f"{service.name} failed to start ({reason}).{left}\n{logs}")


def _missing_specs(
    settings: Settings, service: Service, owned: list[identity.OwnedProcess]
) -> list[process.ProcessSpec]:
    """The process specs of ``service`` none of whose processes runs (a killed node of a cluster)."""
    running = {o.component for o in owned if o.root}
    return [spec for spec in service.processes(settings) if spec.name not in running]


def _restart_missing(settings: Settings, service: Service, specs: list[process.ProcessSpec]) -> None:
    """Start only ``specs`` beside the service's running processes; on failure stop just those again."""
    state = _state_file(settings, service.name)
    kept = [r for r in process.load_records(state) if process.is_running(r)]
    started: list[process.RunningProcess] = []

    def stop_started() -> None:
        procs = []
        for p in started:
            if process.is_running(p):
                procs.append(psutil.Process(p.pid))
        process.stop(procs, procs, stop_signal=service.stop_signal, timeout=service.stop_timeout)

    try:
        for spec in specs:
            started.append(
                process.spawn(spec, _log_file(settings, spec.name), home=settings.home, service=service.name)
            )
            process.save_records(state, kept + started)
        ok = wait_for(
            lambda: service.healthy(settings),
            timeout=service.start_timeout,
            alive=lambda: all(process.is_running(p) for p in started),
        )
        if ok:
            service.after_start(settings)
    except BaseException:
        stop_started()
        raise
    if not ok:
        logs = "\n".join(f"--- last lines of {p.log}\n{process.tail(p.log)}" for p in started)
        stop_started()
        raise RuntimeError_(f"{service.name}: restarting {', '.join(s.name for s in specs)} failed.\n{logs}")


def up(names: list[str] | None = None, settings: Settings | None = None, echo=print) -> list[ServiceStatus]:
    """Start every managed service in ``names`` (default: all, plus what they require) that is not running."""
    s = settings or get_settings()
    wanted = _with_requirements(resolve(names), s)
    check_home(s)
    record_profile(s)
    started_now: list[str] = []
    try:
        for name in wanted:
            service = SERVICES[name]
            if not s.is_managed(name):
                echo(f"{name}: external ({':'.join(map(str, service.endpoint(s)))}), not started")
                continue
            owned = _owned(s).get(name, [])
            if owned and service.healthy(s):
                _adopt(s, name, owned)
                echo(f"{name}: already running (pid {', '.join(str(o.pid) for o in owned if o.root)})")
                continue
            missing = _missing_specs(s, service, owned) if owned and service.restarts_missing_processes else []
            if missing and len(missing) < len(service.processes(s)):
                names_missing = ", ".join(spec.name for spec in missing)
                echo(f"{name}: restarting {names_missing} (its other processes keep running)")
                began = time.monotonic()
                _restart_missing(s, service, missing)
                echo(f"{name}: healthy in {time.monotonic() - began:.1f}s")
                continue
            if owned:
                # a crashed or half-started service of this home: stop its leftovers, start afresh
                echo(f"{name}: stopping {len(owned)} leftover process(es) of an unhealthy start")
                leftovers = _stop_service(s, service, owned)
                if not leftovers.ok:
                    raise RuntimeError_(leftovers.sentence())
            echo(f"{name}: starting...")
            began = time.monotonic()
            _start_one(s, service)
            started_now.append(name)
            echo(f"{name}: healthy in {time.monotonic() - began:.1f}s")
    except BaseException:
        for name in reversed(started_now):
            _stop_service(s, SERVICES[name])
        raise
    if not started_now:
        echo("nothing to start: every service asked for was up")
    return status(s)


def down(names: list[str] | None = None, settings: Settings | None = None, echo=print) -> list[StopResult]:
    """Stop, in reverse start order, every process of the home's services; raise naming any that survived."""
    s = settings or get_settings()
    results = []
    for name in reversed(resolve(names)):
        result = _stop_service(s, SERVICES[name])
        results.append(result)
        if result.stopped or not result.ok or s.is_managed(name):
            echo(result.sentence())
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError_("; ".join(r.sentence() for r in failed))
    return results


def status(settings: Settings | None = None) -> list[ServiceStatus]:
    s = settings or get_settings()
    owned = _owned(s)
    result = []
    for name in SERVICE_NAMES:
        service = SERVICES[name]
        host, port = service.endpoint(s)
        procs = owned.get(name, [])
        result.append(
            ServiceStatus(
                name=name,
                host=host,
                port=port,
                healthy=service.healthy(s),
                managed=s.is_managed(name),
                pids=[o.pid for o in procs if o.root],
                rss_bytes=process.tree_rss([o.process for o in procs]),
                detail=service.detail(s) if procs or not s.is_managed(name) else "",
            )
        )
    return result
