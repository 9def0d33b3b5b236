"""Start and stop background processes that outlive the command that started them.

Hand-written rather than supervisord/honcho: ``smartcar up`` must return while services keep
running, record exactly what it started (pid plus process start time, so a recycled pid is never
killed), and stop only those processes. psutil (an Airflow dependency) does the process checks.
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

from smartcar.fileio import atomic_write_text


@dataclass(frozen=True)
class ProcessSpec:
    """One OS process of a service (Airflow has four, the others one)."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    user: str | None = None
    """Run as this user (PostgreSQL refuses to run as root)."""


@dataclass
class RunningProcess:
    name: str
    pid: int
    create_time: float
    log: str

    def alive(self) -> bool:
        try:
            proc = psutil.Process(self.pid)
            return abs(proc.create_time() - self.create_time) < 1.0 and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False


def spawn(spec: ProcessSpec, log_path: Path) -> RunningProcess:
    """Start ``spec`` in its own session, appending stdout and stderr to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **spec.env}
    with open(log_path, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {' '.join(spec.argv)}\n".encode())
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
    return RunningProcess(spec.name, proc.pid, psutil.Process(proc.pid).create_time(), str(log_path))


def terminate(*procs: RunningProcess, timeout: float = 20.0) -> None:
    """SIGTERM the processes and their children together, then SIGKILL what is left after ``timeout``.

    Signalled together, not one by one, so stopping Airflow's four components costs the slowest
    one's shutdown rather than the sum.
    """
    targets: list[psutil.Process] = []
    for proc in procs:
        if not proc.alive():
            continue
        try:
            root = psutil.Process(proc.pid)
            targets += [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        for p in targets:
            with contextlib.suppress(psutil.Error):
                p.send_signal(sig)
        _, targets = psutil.wait_procs(targets, timeout=wait)
        if not targets:
            return


def tree_rss(proc: RunningProcess) -> int:
    """Memory of a process and all its descendants, in bytes.

    Proportional set size where the kernel reports it: Airflow's LocalExecutor forks workers that
    share most pages with their parent, and plain RSS would count those pages once per worker.
    """
    if not proc.alive():
        return 0
    total = 0
    try:
        root = psutil.Process(proc.pid)
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                try:
                    total += p.memory_full_info().pss
                except (AttributeError, psutil.AccessDenied):
                    total += p.memory_info().rss
    except psutil.Error:
        return 0
    return total


def tail(path: str | Path, lines: int = 25) -> str:
    """Last ``lines`` lines of a log file, for error messages."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.rstrip().splitlines()[-lines:])


def save_state(path: Path, procs: list[RunningProcess]) -> None:
    atomic_write_text(path, json.dumps([asdict(p) for p in procs], indent=2))


def load_state(path: Path) -> list[RunningProcess]:
    try:
        return [RunningProcess(**item) for item in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return []
