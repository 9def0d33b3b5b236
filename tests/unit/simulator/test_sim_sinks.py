"""Spool files appear complete or not at all; the growing log appends; pacing keeps its schedule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.cars import SimulatorError
from simulator.sinks import LogAppender, Pacer, new_run_id, write_spool_file
from simulator.status_log import status_file_name, write_status_file


def test_spool_file_is_complete_under_its_final_name(tmp_path: Path) -> None:
    path = write_spool_file((f"line {i}" for i in range(50_001)), tmp_path / "spool", "a.txt")
    assert path == tmp_path / "spool" / "a.txt"
    text = path.read_text()
    assert text.endswith("line 50000\n") and text.count("\n") == 50_001
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    def lines() -> Iterator[str]:
        for i in range(100_000):
            if i == 60_000:
                raise KeyboardInterrupt
            yield f"line {i}"

    with pytest.raises(KeyboardInterrupt):
        write_spool_file(lines(), tmp_path, "b.txt")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_status_file_leaves_nothing(tmp_path: Path) -> None:
    seen = []

    def stop(n: int) -> None:
        seen.append(n)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_status_file(tmp_path, "20200322", 2, on_lines=stop)
    assert list(tmp_path.iterdir()) == []


def test_spool_names_are_unique_and_never_overwritten(tmp_path: Path) -> None:
    ids = {new_run_id() for _ in range(200)}
    assert len(ids) == 200
    name = status_file_name("2020-03-22", "r1")
    assert name == "SmartCarStatusInfo_20200322_r1.txt"
    write_spool_file(["x"], tmp_path, name)
    with pytest.raises(SimulatorError, match="already exists"):
        write_spool_file(["y"], tmp_path, name)
    assert (tmp_path / name).read_text() == "x\n"


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SimulatorError, match="not writable"):
        write_spool_file(["x"], blocker / "sub", "c.txt")
    with pytest.raises(SimulatorError):
        LogAppender(blocker / "sub" / "drive.log")


def test_log_appender_appends_whole_lines(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "SmartCarDriverInfo.log"
    with LogAppender(log) as out:
        out.write(["a", "b"], flush=True)
        assert log.read_text() == "a\nb\n"
    with LogAppender(log) as out:
        out.write(["c"])
    assert log.read_text() == "a\nb\nc\n"


def test_pacer_releases_steps_on_schedule() -> None:
    pacer = Pacer(0.1, 10.0)  # 10 ms per step
    for k in range(20):
        pacer.wait(k)
    elapsed = time.monotonic() - pacer.start
    assert 0.18 <= elapsed < 3.0  # generous upper bound: the machine is shared
    flat = Pacer(0.1, 0)
    assert not flat.paced
    with pytest.raises(SimulatorError):
        Pacer(0.1, -1)
