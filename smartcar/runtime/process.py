"""Start background processes that outlive the command that started them, and stop them for sure.

Hand-written rather than supervisord/honcho: ``smartcar up`` must return while services keep
running, and ``smartcar down`` must stop exactly the platform's processes, whole trees, even when
the run records are stale or gone. Who is ours is :mod:`smartcar.runtime.identity`'s job; this
module spawns with the marker, keeps the run records (pid + start ticks, never a wall-clock time)
and stops with escalation, reporting what survived.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from smartcar.core.fileio import atomic_write_text
from smartcar.runtime.identity import RecordedProcess, boot_id, marker_env, start_ticks


@dataclass(frozen=True)
class ProcessSpec:
    """One OS process of a service (Airflow has four, HBase two, the others one)."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    user: str | None = None
    """Run as this user (PostgreSQL refuses to run as root)."""


@dataclass(frozen=True)
class RunningProcess:
    """The run record of one started process."""

    name: str
    pid: int
    start_ticks: int
    boot_id: str
    log: str
    started_at: str = ""
    """Wall-clock start, for people reading the record; identity never uses it (the clock steps)."""


def spawn(spec: ProcessSpec, log_path: Path, *, home: Path, service: str) -> RunningProcess:
    """Start ``spec`` in its own session, marked as ``service`` of ``home``, logging to ``log_path``.

    ``SPT_NOENV=1`` stops py-setproctitle (Airflow's api-server and executor workers) from writing
    the process title over the environment, where the marker lives.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **spec.env, "SPT_NOENV": "1", **marker_env(home, service, spec.name)}
    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(log_path, "ab") as log:
        log.write(f"\n--- {started_at} starting {' '.join(spec.argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            spec.argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=spec.cwd,
            start_new_session=True,
            user=spec.user,
            close_fds=True,
        )
    ticks = start_ticks(proc.pid)
    return RunningProcess(spec.name, proc.pid, ticks if ticks is not None else -1, boot_id(), str(log_path), started_at)


def is_running(record: RunningProcess) -> bool:
    """The recorded process itself still runs (same boot, pid and start ticks; not a zombie)."""
    if record.boot_id != boot_id() or start_ticks(record.pid) != record.start_ticks:
        return False
    try:
        return psutil.Process(record.pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def stop(
    procs: list[psutil.Process],
    roots: list[psutil.Process],
    *,
    stop_signal: int = signal.SIGTERM,
    signal_children: bool = True,
    timeout: float = 20.0,
    kill_timeout: float = 5.0,
) -> tuple[int, list[psutil.Process]]:
    """Stop a service's processes: ``stop_signal`` to the roots (and the other processes unless the
    roots stop their own children, as PostgreSQL's postmaster does), SIGKILL to whatever is left
    after ``timeout``. Returns how many needed SIGKILL and the processes alive after that (normally none).

    Signalled together, not one by one, so stopping Airflow's four components costs the slowest
    one's shutdown rather than the sum.
    """
    for proc in procs if signal_children else roots:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(stop_signal)
    alive = _wait_gone(procs, timeout)
    if not alive:
        return 0, []
    # a child started during the grace period (a task process) is part of the tree too
    extra: list[psutil.Process] = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            extra += proc.children(recursive=True)
    targets = list({p.pid: p for p in [*alive, *extra]}.values())
    for proc in targets:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    survivors = _wait_gone(targets, kill_timeout)
    return len(targets) - len(survivors), survivors


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until every process has exited; a zombie (dead, its parent not yet reaping) counts as gone.

    Not ``psutil.wait_procs``: for processes that are not our children it waits for the pid to
    disappear, which a zombie's never does until its parent reaps it.
    """
    deadline = time.monotonic() + timeout
    alive = list(procs)
    while True:
        alive = [p for p in alive if _running(p)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def tree_rss(procs: list[psutil.Process]) -> int:
    """Memory of the processes, in bytes.

    Proportional set size where the kernel reports it: Airflow's LocalExecutor forks workers that
    share most pages with their parent, and plain RSS would count those pages once per worker.
    """
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            try:
                total += p.memory_full_info().pss
            except (AttributeError, psutil.AccessDenied):
                total += p.memory_info().rss
    return total


def tail(path: str | Path, lines: int = 25) -> str:
    """Last ``lines`` lines of a log file, for error messages."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.rstrip().splitlines()[-lines:])


def save_records(path: Path, procs: list[RunningProcess]) -> None:
    atomic_write_text(path, json.dumps([asdict(p) for p in procs], indent=2))


def load_records(path: Path) -> list[RunningProcess]:
    """The run records of one service; a record without start ticks and boot id (written before
    they were kept) is ignored rather than trusted on its pid alone."""
    try:
        items = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    records = []
    for item in items if isinstance(items, list) else []:
        with contextlib.suppress(TypeError, KeyError):
            records.append(
                RunningProcess(
                    name=item["name"],
                    pid=int(item["pid"]),
                    start_ticks=int(item["start_ticks"]),
                    boot_id=item["boot_id"],
                    log=item.get("log", ""),
                    started_at=item.get("started_at", ""),
                )
            )
    return records


def as_recorded(service: str, records: list[RunningProcess]) -> list[RecordedProcess]:
    return [RecordedProcess(service, r.pid, r.start_ticks, r.boot_id) for r in records]
