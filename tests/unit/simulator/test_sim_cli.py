"""``smartcar simulate``: outputs, determinism, pacing, interrupts and bad input, in child processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from smartcar.runtime.health import free_port


def simulate(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def only_file(directory: Path) -> Path:
    files = list(directory.iterdir())
    assert len(files) == 1, files
    return files[0]


def test_registered_under_smartcar(smartcar_cli) -> None:
    result = smartcar_cli("simulate", "--help")
    assert result.returncode == 0
    for command in ("master", "buylist", "status", "driving"):
        assert command in result.stdout


def test_status_file_and_determinism(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        result = simulate(
            "status", "--date", "20200322", "--cars", "3", "--seed", "5", "--minutes", "30", "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
    fa, fb = only_file(a), only_file(b)
    assert fa.name != fb.name and fa.name.startswith("SmartCarStatusInfo_20200322_")
    assert fa.read_bytes() == fb.read_bytes()
    lines = fa.read_text().splitlines()
    assert len(lines) == 3 + 3 * 450
    assert str(fa) in result.stdout or fb.name in result.stdout


def test_status_knobs(tmp_path: Path) -> None:
    result = simulate(
        "status", "-d", "20200322", "-n", "2", "--minutes", "2", "--out", str(tmp_path), "--name", "s.txt",
        "--force-failure", "2:engine@000020", "--malformed-rate", "0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in (tmp_path / "s.txt").read_text().splitlines()[2:]]
    engine2 = [r[10] for r in rows[1::2]]
    assert set(engine2[5:]) == {"C"} and "C" not in engine2[:5]


def test_driving_outputs(tmp_path: Path) -> None:
    result = simulate("driving", "-d", "20200322", "-n", "4", "--minutes", "1", "--out", str(tmp_path / "spool"))
    assert result.returncode == 0, result.stderr
    spool = only_file(tmp_path / "spool")
    assert spool.name.startswith("SmartCarDriverInfo_20200322_") and spool.suffix == ".log"
    assert len(spool.read_text().splitlines()) == 4 + 4 * 30

    log = tmp_path / "tail" / "SmartCarDriverInfo.log"
    for _ in range(2):  # a growing file: a second run appends
        result = simulate(
            "driving", "-d", "20200322", "-n", "4", "--minutes", "1", "--speed", "0", "--log-file", str(log)
        )
        assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert text == spool.read_text() * 2


def test_real_time_pace(tmp_path: Path) -> None:
    log = tmp_path / "d.log"
    started = time.monotonic()
    result = simulate(
        "driving", "-d", "20200322", "-n", "2", "--minutes", "0.5", "--speed", "1", "--log-file", str(log)
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert len(log.read_text().splitlines()) == 2 + 2 * 15
    assert elapsed >= 1.4  # 15 steps of 100 ms


def test_master_and_buylist(tmp_path: Path) -> None:
    assert simulate("master", "--seed", "1", "--out", str(tmp_path), "--name", "CarMaster.txt").returncode == 0
    assert len((tmp_path / "CarMaster.txt").read_text("utf-8").splitlines()) == 2600
    result = simulate("buylist", "--date", "20200322", "--rows", "1000", "--out", str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    buy = only_file(tmp_path / "b")
    assert buy.name.startswith("CarItemBuyList_202003_")
    assert all(line.endswith(",202003") for line in buy.read_text().splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--date", "20200230", "--cars", "3"], "invalid date"),
        (["status", "--date", "2020-3-1", "--cars", "3"], "invalid date"),
        (["status", "--date", "20200322", "--cars", "0"], "cars must be a positive"),
        (["driving", "--date", "20200322", "--cars", "-2"], "cars must be a positive"),
        (["status", "--date", "20200322", "--cars", "3", "--out", "/dev/null/x"], "not writable"),
        (["driving", "--date", "20200322", "--cars", "3", "--log-file", "/dev/null/x/d.log"], "not writable"),
        (["status", "--date", "20200322", "--cars", "3", "--force-failure", "9:engine"], "not in the fleet"),
        (["status", "--date", "20200322", "--cars", "3", "--force-failure", "1:wheel"], "unknown component"),
        (["driving", "--date", "20200322", "--cars", "3", "--malformed-rate", "2"], "between 0 and 1"),
        (["driving", "--date", "20200322", "--cars", "3", "--speed", "-1"], "speed"),
        (["buylist", "--month", "202013"], "invalid month"),
    ],
)
def test_bad_input_is_one_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    if "--out" not in args and "--log-file" not in args:
        args = [*args, "--out", str(tmp_path)] if args[0] != "driving" else [*args, "--log-file", str(tmp_path / "d")]
    result = CliRunner().invoke(app, args)  # in-process: a child per case would cost seconds each
    assert result.exit_code not in (0, None)
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_unreachable_broker_fails_fast() -> None:
    port = free_port()
    started = time.monotonic()
    result = simulate("driving", "-d", "20200322", "-n", "2", "--to-kafka", "--bootstrap", f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert "unreachable" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 30  # a 5 s probe, plus interpreter start on a busy machine


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_leaves_no_partial_file(signum: int, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "status", "-d", "20200322", "-n", "100", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert list(tmp_path.iterdir()) == []
    assert "Traceback" not in err


def test_fleet_listing_and_forced_speeding_by_number(tmp_path: Path) -> None:
    listing = CliRunner().invoke(app, ["fleet", "--cars", "5", "--seed", "3"])
    assert listing.exit_code == 0
    rows = [line.split("\t") for line in listing.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    target = rows[3][1]
    log = tmp_path / "d.log"
    args = ["driving", "-d", "20200322", "-n", "5", "--seed", "3", "--wild-share", "0", "--speed", "0"]
    result = CliRunner().invoke(app, [*args, "--minutes", "30", "--log-file", str(log), "--force-speeding", target])
    assert result.exit_code == 0, result.stderr
    speeds: dict[str, list[int]] = {}
    for line in log.read_text().splitlines()[5:]:
        fields = line.split(",")
        speeds.setdefault(fields[1], []).append(int(fields[6]))
    means = {car: sum(v) / len(v) for car, v in speeds.items()}
    assert max(means, key=means.get) == target and means[target] > 120
    wrong = CliRunner().invoke(app, [*args, "--log-file", str(log), "--force-speeding", "A9999"])
    assert wrong.exit_code == 1 and "not in the fleet" in wrong.stderr


def test_default_destinations_come_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcar.settings import get_settings

    monkeypatch.setenv("SMARTCAR_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("SMARTCAR_DRIVING_LOG", str(tmp_path / "rt" / "SmartCarDriverInfo.log"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["status", "-d", "20200322", "-n", "2", "--minutes", "1"]).exit_code == 0
        assert only_file(tmp_path / "spool").name.startswith("SmartCarStatusInfo_20200322_")
        result = runner.invoke(app, ["driving", "-d", "20200322", "-n", "2", "--minutes", "1", "--speed", "0"])
        assert result.exit_code == 0, result.stderr
        assert len((tmp_path / "rt" / "SmartCarDriverInfo.log").read_text().splitlines()) == 2 + 2 * 30
    finally:
        get_settings.cache_clear()
