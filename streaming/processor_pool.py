"""Keep N stream-processor processes alive for a bounded time (the body of the supervisor DAG's task).

Each processor is a child process (``python -m streaming.cli run``) in the same consumer group.
A child that dies (crash, OOM, ``kill -9``) is restarted after ``restart_delay_s`` (seconds, far
inside the 60 s requirement) and the restart is logged; Kafka offsets, floors and idempotent sinks
make the restart loss- and duplicate-free. At the end of the time budget the children get SIGTERM,
commit and exit, and the next DAG run starts fresh ones. Children are tied to the supervisor with
``PR_SET_PDEATHSIG``, so if the supervisor itself is killed they stop too and never outlive it as
unsupervised extra instances.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smartcar.settings import REPO_ROOT, Settings, get_settings

log = logging.getLogger(__name__)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class SupervisionReport:
    instances: int
    starts: int = 0
    crashes: int = 0
    exit_codes: list[int] = field(default_factory=list)
    restart_delays_s: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "instances": self.instances,
            "starts": self.starts,
            "crashes": self.crashes,
            "exit_codes": self.exit_codes,
            "max_restart_delay_s": max(self.restart_delays_s, default=0.0),
        }


def processor_command(extra_args: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "streaming.cli", "run", *extra_args]


def supervise(
    duration_s: float = 600.0,
    instances: int = 1,
    settings: Settings | None = None,
    extra_args: tuple[str, ...] = (),
    restart_delay_s: float = 2.0,
    on_tick: Callable[[SupervisionReport], None] | None = None,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> SupervisionReport:
    """Run ``instances`` processors for ``duration_s`` seconds, restarting any that exit early."""
    s = settings or get_settings()
    logs = log_dir or s.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    report = SupervisionReport(instances)
    children: dict[int, subprocess.Popen | None] = dict.fromkeys(range(instances))
    died_at: dict[int, float] = {}
    stop = False

    def _term(*_: object) -> None:
        nonlocal stop
        stop = True

    previous = signal.signal(signal.SIGTERM, _term) if _main_thread() else None

    def spawn(slot: int) -> None:
        log_file = (logs / f"stream-processor-{slot}.log").open("ab")
        children[slot] = subprocess.Popen(
            processor_command(extra_args),
            cwd=REPO_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # only prctl: safe between fork and exec
            env=env,
        )
        log_file.close()
        report.starts += 1
        if slot in died_at:
            report.restart_delays_s.append(time.monotonic() - died_at.pop(slot))
        log.info("stream processor %d started (pid %d)", slot, children[slot].pid)  # type: ignore[union-attr]

    deadline = time.monotonic() + duration_s
    try:
        for slot in children:
            spawn(slot)
        last_tick = 0.0
        while not stop and time.monotonic() < deadline:
            time.sleep(0.5)
            for slot, child in children.items():
                if child is None or child.poll() is None:
                    continue
                code = child.returncode
                report.exit_codes.append(code)
                report.crashes += 1
                log.error(
                    "stream processor %d (pid %d) exited with %s; restarting in %.0fs (see %s)",
                    slot,
                    child.pid,
                    code,
                    restart_delay_s,
                    logs / f"stream-processor-{slot}.log",
                )
                children[slot] = None
                died_at[slot] = time.monotonic()
            for slot in [k for k, v in children.items() if v is None]:
                if time.monotonic() - died_at[slot] >= restart_delay_s:
                    spawn(slot)
            if on_tick and time.monotonic() - last_tick >= 30:
                last_tick = time.monotonic()
                on_tick(report)
    finally:
        for child in children.values():
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            if child is None:
                continue
            try:
                child.wait(60)
            except subprocess.TimeoutExpired:
                log.error("stream processor pid %d ignored SIGTERM; killing it", child.pid)
                child.kill()
                child.wait(10)
            report.exit_codes.append(child.returncode)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return report


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread() and os.name == "posix"
