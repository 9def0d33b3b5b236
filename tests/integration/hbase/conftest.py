"""Fixtures of the HBase conformance suite.

The suite speaks only happybase's public API, so it runs unchanged against a real HBase Thrift1
gateway: set ``SMARTCAR_HBASE_CONFORMANCE_URL=host:port`` (and, if needed,
``SMARTCAR_HBASE_CONFORMANCE_TRANSPORT`` / ``..._PROTOCOL``, default buffered/binary). Unset, a
session fixture starts the project's own server (``python -m smartcar.hbase``) on a free port
with a temporary data directory. Tests that need to start or kill a server process themselves
(crash recovery, transports) are skipped against an external server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import happybase
import pytest

EXTERNAL_URL = os.environ.get("SMARTCAR_HBASE_CONFORMANCE_URL", "")


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    transport: str = "buffered"
    protocol: str = "binary"

    def connect(self, **kwargs: object) -> happybase.Connection:
        return happybase.Connection(
            self.host, self.port, transport=self.transport, protocol=self.protocol, timeout=30_000, **kwargs
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A ``python -m smartcar.hbase`` child process on a free port."""

    def __init__(self, data_dir: Path, transport: str = "buffered", protocol: str = "binary") -> None:
        self.data_dir = data_dir
        self.endpoint = Endpoint("127.0.0.1", free_port(), transport, protocol)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.endpoint.port}.log"

    def start(self, timeout: float = 30) -> ServerProcess:
        e = self.endpoint
        cmd = [sys.executable, "-m", "smartcar.hbase", "--host", e.host, "--port", str(e.port)]
        cmd += ["--data-dir", str(self.data_dir), "--transport", e.transport, "--protocol", e.protocol]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                conn = e.connect()
                conn.tables()
                conn.close()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no flush, no clean shutdown."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="session")
def hbase_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="hbase-conformance-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def endpoint(hbase_tmp: Path) -> Iterator[Endpoint]:
    """Where the conformance suite points: the external URL, or a server of our own."""
    if EXTERNAL_URL:
        host, _, port = EXTERNAL_URL.rpartition(":")
        yield Endpoint(
            host,
            int(port),
            os.environ.get("SMARTCAR_HBASE_CONFORMANCE_TRANSPORT", "buffered"),
            os.environ.get("SMARTCAR_HBASE_CONFORMANCE_PROTOCOL", "binary"),
        )
        return
    server = ServerProcess(hbase_tmp / "session-data").start()
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture
def own_server(hbase_tmp: Path) -> Iterator[callable]:
    """Factory of private server processes (skipped against an external server)."""
    if EXTERNAL_URL:
        pytest.skip("needs to start its own server process")
    started: list[ServerProcess] = []

    def make(data_dir: Path | None = None, **kwargs: str) -> ServerProcess:
        server = ServerProcess(data_dir or hbase_tmp / f"own-{uuid.uuid4().hex[:8]}", **kwargs)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def connection(endpoint: Endpoint) -> Iterator[happybase.Connection]:
    conn = endpoint.connect()
    yield conn
    conn.close()


def unique_name(prefix: str = "conf") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_table(connection: happybase.Connection) -> Iterator[callable]:
    """Create uniquely named tables; all are dropped at the end of the test."""
    names: list[str] = []

    def make(families: dict | None = None) -> happybase.Table:
        name = unique_name()
        connection.create_table(name, families or {"cf1": {"max_versions": 3}, "cf2": {"max_versions": 1}})
        names.append(name)
        return connection.table(name)

    yield make
    for name in names:
        with contextlib.suppress(Exception):
            connection.delete_table(name, disable=True)


@pytest.fixture
def table(make_table) -> happybase.Table:
    """A fresh table with ``cf1`` (3 versions) and ``cf2`` (1 version)."""
    return make_table()
