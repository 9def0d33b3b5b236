"""Fixtures of the HBase conformance suite.

The suite speaks only happybase's public API. By default it runs against the session's Apache
HBase (the runtime's standalone node and Thrift1 gateway, ``hbase_service``); set
``SMARTCAR_HBASE_CONFORMANCE_URL=host:port`` (and, if needed,
``SMARTCAR_HBASE_CONFORMANCE_TRANSPORT`` / ``..._PROTOCOL``, default buffered/binary) to point it
at another gateway, for example a production cluster's. Tests that kill and restart the server
are skipped against such an external gateway.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

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


@pytest.fixture(scope="session")
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    """Where the conformance suite points: the external URL, or the session's HBase."""
    if EXTERNAL_URL:
        host, _, port = EXTERNAL_URL.rpartition(":")
        return Endpoint(
            host,
            int(port),
            os.environ.get("SMARTCAR_HBASE_CONFORMANCE_TRANSPORT", "buffered"),
            os.environ.get("SMARTCAR_HBASE_CONFORMANCE_PROTOCOL", "binary"),
        )
    s = request.getfixturevalue("hbase_service")
    return Endpoint(s.hbase_host, s.hbase_port, s.hbase_transport, s.hbase_protocol)


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
