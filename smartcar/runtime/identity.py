"""Which processes on this machine belong to a platform home, told by what does not move.

A process is the platform's (for one ``SMARTCAR_HOME``) when either

- its environment carries the marker :data:`MARK_HOME` = the home and :data:`MARK_SERVICE` = the
  service (and :data:`MARK_PROCESS`, the process spec it was started as, for the stop order),
  which :func:`smartcar.runtime.process.spawn` sets and every child inherits (a JVM the launcher
  script exec'd, Airflow's executor workers and task processes, supervised stream processors); or
- a run record names its pid **and** its start time in clock ticks since boot (``/proc/<pid>/stat``
  field 22), which a process keeps for life and no other process with that pid has within a boot
  (the record also holds the kernel's boot id: after a reboot no record matches);
- or it descends from one of those (Postgres backends call ``setsid`` and overwrite their
  environment area with their title, but stay children of the postmaster).

Not ``psutil.Process.create_time()``: that is the kernel's boot time plus the start ticks, and the
boot time moves when the wall clock is stepped (NTP, VM resume, a laptop waking): a 15 s step once
made the platform disown every process it had started. The marker lets ``status``/``up``/``down``
find the processes when the records are stale or gone; a recycled pid never carries it, so a
foreign process is never taken for ours. Setting the marker by hand only exposes one's own
processes to one's own ``down``. Hand-written because no library tracks process ownership across
invocations; psutil (an Airflow dependency) does the process table work.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

MARK_HOME = "SMARTCAR_RUNTIME_HOME"
MARK_SERVICE = "SMARTCAR_RUNTIME_SERVICE"
MARK_PROCESS = "SMARTCAR_RUNTIME_PROCESS"


def start_ticks(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot (``proc(5)``: stat field 22), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: count from its end
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[19])


def boot_id() -> str:
    """The kernel's id of the current boot (``/proc/sys/kernel/random/boot_id``)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def marker_env(home: Path, service: str, process: str) -> dict[str, str]:
    """Environment that makes a started process (and its children) recognisable as ``process`` of
    ``service`` of ``home``."""
    return {MARK_HOME: str(home), MARK_SERVICE: service, MARK_PROCESS: process}


@dataclass(frozen=True)
class RecordedProcess:
    """What a run record says about one process ``up`` started."""

    service: str
    pid: int
    start_ticks: int
    boot_id: str


@dataclass(frozen=True)
class OwnedProcess:
    service: str
    process: psutil.Process
    root: bool
    """Started by the runtime (not a child of another process of the same service)."""
    component: str = ""
    """The process spec it or its started ancestor ran as (``airflow-scheduler``), "" when unknown."""

    @property
    def pid(self) -> int:
        return self.process.pid


def _marker(proc: psutil.Process) -> tuple[str, str, str] | None:
    try:
        env = proc.environ()
    except (psutil.Error, OSError):
        return None
    if MARK_HOME not in env:
        return None
    return env[MARK_HOME], env.get(MARK_SERVICE, ""), env.get(MARK_PROCESS, "")


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _self_and_ancestors() -> set[int]:
    """This process and its parents: never targets, even if a marked process runs ``smartcar down``."""
    pids = {os.getpid()}
    with contextlib.suppress(psutil.Error):
        pids |= {p.pid for p in psutil.Process().parents()}
    return pids


def owned_processes(home: Path, records: Iterable[RecordedProcess] = ()) -> list[OwnedProcess]:
    """Every live process of ``home``: marked, recorded (pid and start ticks equal), and their descendants."""
    home_text = str(home)
    found: dict[int, tuple[str, str, psutil.Process]] = {}
    for proc in psutil.process_iter():
        marker = _marker(proc)
        if marker and marker[0] == home_text:
            found[proc.pid] = (marker[1], marker[2], proc)
    this_boot = boot_id()
    for record in records:
        if record.pid in found or record.boot_id != this_boot:
            continue
        if start_ticks(record.pid) == record.start_ticks:
            with contextlib.suppress(psutil.Error):
                found[record.pid] = (record.service, "", psutil.Process(record.pid))
    for service, component, proc in list(found.values()):
        with contextlib.suppress(psutil.Error):
            for child in proc.children(recursive=True):
                found.setdefault(child.pid, (service, component, child))
    excluded = _self_and_ancestors()
    owned: list[OwnedProcess] = []
    for pid, (service, component, proc) in found.items():
        if pid in excluded or not _alive(proc):
            continue
        try:
            parent = proc.ppid()
        except psutil.Error:
            continue
        root = not (parent in found and found[parent][0] == service)
        owned.append(OwnedProcess(service, proc, root, component))
    owned.sort(key=lambda o: (o.service, not o.root, o.pid))
    return owned


def describe(proc: psutil.Process) -> str:
    """``pid 123 (java kafka.Kafka …)``: enough for an operator to recognise a process."""
    try:
        cmdline = " ".join(proc.cmdline()) or proc.name()
    except psutil.Error:
        cmdline = "?"
    if len(cmdline) > 90:
        cmdline = cmdline[:87] + "..."
    return f"pid {proc.pid} ({cmdline})"


def listening_ports(procs: list[psutil.Process]) -> set[tuple[str, int]]:
    """``(host, port)`` of the TCP sockets the processes listen on (a wildcard address as loopback)."""
    ports: set[tuple[str, int]] = set()
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            for conn in proc.net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr:
                    host = conn.laddr.ip
                    ports.add(("127.0.0.1" if host in ("0.0.0.0", "::") else host, conn.laddr.port))
    return ports


def port_holder(port: int) -> psutil.Process | None:
    """The process listening on ``port``, when this user may see it."""
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return psutil.Process(conn.pid)
    return None


def port_in_use(host: str, port: int, what: str = "port") -> str:
    """``port 127.0.0.1:9092 is already in use by pid 42 (java …)``: the sentence every port refusal uses."""
    holder = port_holder(port)
    by = describe(holder) if holder else "a process this user cannot see"
    return f"{what} {host}:{port} is already in use by {by}"
