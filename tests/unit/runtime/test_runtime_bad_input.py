"""Bad input to the runtime: one clear message, non-zero exit, nothing started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from smartcar import runtime
from smartcar.runtime.health import free_port
from smartcar.settings import Settings


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smartcar.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_unknown_service_name(tmp_path: Path) -> None:
    result = _cli("up", "--only", "kafka,zookeeper", env={"SMARTCAR_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "unknown service(s): zookeeper" in result.stderr
    assert "Traceback" not in result.stderr + result.stderr
    assert not (tmp_path / "run").exists()


def test_port_in_use_is_refused_and_nothing_is_left_running(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        env = {"SMARTCAR_HOME": str(tmp_path), "SMARTCAR_REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        result = _cli("up", "--only", "redis", env=env)
    assert result.returncode == 1
    assert f"port 127.0.0.1:{port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stderr
    assert not list((tmp_path / "run").glob("*.json")) if (tmp_path / "run").exists() else True


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any directory")
def test_unreadable_home(tmp_path: Path) -> None:
    home = tmp_path / "locked"
    home.mkdir()
    home.chmod(0)
    with pytest.raises(runtime.RuntimeError_, match="not readable and writable"):
        runtime.up(["redis"], Settings(home=home), echo=lambda _m: None)


def test_home_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = _cli("up", "--only", "redis", env={"SMARTCAR_HOME": str(blocker / "home")})
    assert result.returncode == 1
    assert "cannot be created" in result.stderr


def test_missing_java_names_the_service_and_starts_nothing(tmp_path: Path) -> None:
    env = {
        "SMARTCAR_HOME": str(tmp_path),
        "SMARTCAR_HIVE_PORT": str(free_port()),
        "SMARTCAR_JAVA_HOME": str(tmp_path / "no-jdk"),
        "JAVA_HOME": str(tmp_path / "no-jdk"),
        "PATH": "/usr/local/sbin:/nonexistent",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from smartcar.cli import app; app()", "up", "--only", "hive"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert result.returncode == 1
    assert "hive: no Java 17+ found" in result.stderr
    assert not list((tmp_path / "run").glob("*.json")) if (tmp_path / "run").exists() else True
