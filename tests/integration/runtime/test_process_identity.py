"""The runtime finds its own processes after a clock step or without its run records, stops whole
trees, leaves nothing behind a failed start, and never signals a foreign process on a recorded pid."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from smartcar.runtime.health import port_open
from tests.fixtures.private_platform import home_processes, private_env, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def private_home() -> Iterator[tuple[Path, dict[str, str], dict[str, int]]]:
    """A platform home of its own (traversable by the ``postgres`` service user) with its own ports."""
    home = Path(tempfile.mkdtemp(prefix="smartcar-identity-"))
    home.chmod(0o755)
    env, ports = private_env(home)
    yield home, env, ports
    run_cli("down", env=env)
    for line in home_processes(home):  # never leave a JVM behind, whatever the test found
        os.kill(int(line.split()[0]), signal.SIGKILL)
    shutil.rmtree(home, ignore_errors=True)


def _settings(env: dict[str, str]):
    from smartcar.settings import Settings

    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return Settings()


def test_a_clock_step_and_lost_run_records_disown_nothing_and_down_stops_everything(
    private_home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, env, ports = private_home
    started = run_cli("up", "--only", "kafka,redis,postgres", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    pids = {name: status[name]["pids"] for name in ("kafka", "redis", "postgres")}
    assert all(len(p) == 1 for p in pids.values()), pids

    # The wall clock steps 15 s: the kernel's boot time, and with it every create_time(), moves.
    from smartcar import runtime

    settings = _settings(env)
    before = psutil.Process(pids["kafka"][0]).create_time()
    real_boot_time = psutil._pslinux.boot_time
    monkeypatch.setattr(psutil._pslinux, "boot_time", lambda: real_boot_time() + 15.0)
    assert psutil.Process(pids["kafka"][0]).create_time() == pytest.approx(before + 15.0, abs=0.5)
    for record in (home / "run").glob("*.json"):  # and the records' wall-clock field is off by as much
        items = json.loads(record.read_text())
        record.write_text(json.dumps([{**item, "started_at": "1999-01-01 00:00:00"} for item in items]))
    stepped = {row.name: row.pids for row in runtime.status(settings)}
    assert {name: stepped[name] for name in pids} == pids
    monkeypatch.undo()

    # The run records are lost: status still finds every process, up adopts instead of refusing.
    shutil.rmtree(home / "run")
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert {name: status[name]["pids"] for name in pids} == pids
    assert all(status[name]["memory_mb"] > 0 for name in pids)
    again = run_cli("up", "--only", "kafka", env=env)
    assert again.returncode == 0, again.stderr
    assert f"kafka: already running (pid {pids['kafka'][0]})" in again.stdout
    postgres_tree = psutil.Process(pids["postgres"][0]).children(recursive=True)
    assert postgres_tree, "the postmaster's children (they setsid and overwrite their environment)"

    down = run_cli("down", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "kafka: stopped (1 process)" in down.stdout
    assert f"postgres: stopped ({1 + len(postgres_tree)} processes)" in down.stdout
    for name in ("kafka", "kafka_controller", "redis", "postgres"):
        assert not port_open("127.0.0.1", ports[name]), name
    assert home_processes(home) == []


def test_a_foreign_process_on_a_recorded_pid_is_never_signalled(private_home) -> None:
    home, env, _ = private_home
    foreign = subprocess.Popen(["sleep", "600"])  # no marker: not the platform's, whatever a record says
    try:
        proc = psutil.Process(foreign.pid)
        from smartcar.runtime.identity import boot_id, start_ticks

        ticks = start_ticks(foreign.pid)
        run = home / "run"
        run.mkdir(parents=True)
        record = {"name": "kafka", "pid": foreign.pid, "log": "", "started_at": ""}
        # the pid was recycled: the record's process started at another tick
        (run / "kafka.json").write_text(json.dumps([{**record, "start_ticks": ticks - 1, "boot_id": boot_id()}]))
        # a record from before a reboot that happens to match pid and ticks
        (run / "redis.json").write_text(json.dumps([{**record, "start_ticks": ticks, "boot_id": "another-boot"}]))
        # the previous version's record, whose create_time this process matches exactly
        (run / "postgres.json").write_text(json.dumps([{**record, "create_time": proc.create_time()}]))

        status = json.loads(run_cli("status", "--json", env=env).stdout)
        assert all(row["pids"] == [] for row in status.values()), status
        down = run_cli("down", env=env)
        assert down.returncode == 0, down.stdout + down.stderr
        assert "stopped (" not in down.stdout
        assert proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    finally:
        foreign.kill()
        foreign.wait()


def test_hbase_against_an_occupied_zookeeper_port_fails_clearly_and_leaves_no_jvm(private_home) -> None:
    home, env, ports = private_home
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", ports["zookeeper"]))
        blocker.listen()
        result = run_cli("up", "--only", "hbase", env=env)
    assert result.returncode == 1
    assert f"hbase: ZooKeeper port 127.0.0.1:{ports['zookeeper']} is already in use by pid {os.getpid()}" in (
        result.stderr
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert home_processes(home) == []
    assert not list((home / "run").glob("*.json")) if (home / "run").exists() else True


def test_a_start_that_fails_after_spawning_stops_every_process_of_the_service(private_home) -> None:
    """The HBase master dies (kill -9) while the Thrift gateway is up: the failed start takes the gateway down too."""
    home, env, ports = private_home
    cli = subprocess.Popen(
        [sys.executable, "-m", "smartcar.cli", "up", "--only", "hbase"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 120
    master = thrift = None
    while time.monotonic() < deadline and not (master and thrift):
        for line in home_processes(home):
            pid, cmdline = int(line.split()[0]), line
            if "HMaster" in cmdline:
                master = pid
            elif "ThriftServer" in cmdline:
                thrift = pid
        time.sleep(0.2)
    assert master and thrift, "the HBase JVMs never started"
    os.kill(master, signal.SIGKILL)
    stdout, stderr = cli.communicate(timeout=180)
    assert cli.returncode == 1, stdout + stderr
    assert "hbase failed to start (hbase-master exited)" in stderr
    assert not psutil.pid_exists(thrift) or psutil.Process(thrift).status() == psutil.STATUS_ZOMBIE
    assert home_processes(home) == []
    assert not port_open("127.0.0.1", ports["hbase"])


def test_down_escalates_to_sigkill_for_a_process_that_ignores_sigterm(private_home) -> None:
    from smartcar.runtime.process import ProcessSpec, spawn

    home, env, _ = private_home
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    # started the way up starts a service, then its parent (this test) forgets it, as `smartcar up` exits
    record = spawn(
        ProcessSpec("redis", [sys.executable, "-c", stubborn]), home / "logs" / "redis.log", home=home, service="redis"
    )
    time.sleep(0.5)  # the interpreter installs its SIGTERM handler
    began = time.monotonic()
    down = run_cli("down", "--only", "redis", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "redis: stopped (1 process, 1 after SIGKILL)" in down.stdout
    assert time.monotonic() - began < 60
    assert not psutil.pid_exists(record.pid) or psutil.Process(record.pid).status() == psutil.STATUS_ZOMBIE


def test_down_names_a_port_it_could_not_free_and_exits_non_zero(private_home) -> None:
    """A service process leaks a daemon that escapes (scrubbed environment, re-parented) holding its
    listening socket: down stops the process, but must not report the port as free."""
    from smartcar.runtime.health import free_port
    from smartcar.runtime.identity import port_holder
    from smartcar.runtime.process import ProcessSpec, spawn

    home, env, _ = private_home
    port = free_port()
    leaky = (
        "import socket, subprocess, time\n"
        "s = socket.socket()\n"
        f"s.bind(('127.0.0.1', {port}))\n"
        "s.listen()\n"
        "subprocess.Popen(['sh', '-c', 'sleep 600 &'], env={}, pass_fds=[s.fileno()], start_new_session=True)\n"
        "time.sleep(600)\n"
    )
    spawn(ProcessSpec("redis", [sys.executable, "-c", leaky]), home / "logs" / "redis.log", home=home, service="redis")
    deadline = time.monotonic() + 10
    while not (port_open("127.0.0.1", port) and (holder := port_holder(port)) and holder.name() == "sleep"):
        assert time.monotonic() < deadline, "the leaked daemon never held the port"
        time.sleep(0.1)
    try:
        down = run_cli("down", "--only", "redis", env=env)
        assert down.returncode == 1, down.stdout + down.stderr
        assert (
            f"redis: could not be stopped: port 127.0.0.1:{port} still open (held by pid {holder.pid} (sleep 600))"
            in (down.stderr)
        )
        assert "Traceback" not in down.stdout + down.stderr
    finally:
        holder.kill()


def test_down_stops_the_server_others_report_to_last(private_home) -> None:
    """Airflow's task supervisors report their final state to the api-server when stopped: down stops
    the api-server only after them, so they exit by themselves instead of retrying until SIGKILL."""
    from smartcar.runtime.health import free_port, wait_for
    from smartcar.runtime.process import ProcessSpec, spawn

    home, env, _ = private_home
    port = free_port()
    reports = home / "reports.txt"
    server = (
        "import socket, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        f"s.bind(('127.0.0.1', {port})); s.listen()\n"
        "while True:\n"
        "    c, _ = s.accept()\n"
        f"    open({str(reports)!r}, 'ab').write(c.recv(64) + b'\\n'); c.close()\n"
    )
    # a task supervisor: on SIGTERM it reports, retrying while the server refuses, and exits once it could
    task = (
        "import signal, socket, sys, time\n"
        "def report(*_):\n"
        "    while True:\n"
        "        try:\n"
        f"            socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'task stopped'); sys.exit(0)\n"
        "        except OSError:\n"
        "            time.sleep(0.2)\n"
        "signal.signal(signal.SIGTERM, report)\n"
        "time.sleep(600)\n"
    )
    logs = home / "logs"
    spawn(
        ProcessSpec("airflow-api-server", [sys.executable, "-c", server]), logs / "a.log", home=home, service="airflow"
    )
    assert wait_for(lambda: port_open("127.0.0.1", port), timeout=10), "the stand-in api-server never listened"
    spawn(ProcessSpec("airflow-scheduler", [sys.executable, "-c", task]), logs / "s.log", home=home, service="airflow")
    time.sleep(0.5)  # the interpreter installs its SIGTERM handler
    down = run_cli("down", "--only", "airflow", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "airflow: stopped (2 processes)" in down.stdout, down.stdout
    assert "task stopped" in reports.read_text().splitlines()  # (the readiness probe leaves an empty line)
    assert home_processes(home) == []
    assert not port_open("127.0.0.1", port)
