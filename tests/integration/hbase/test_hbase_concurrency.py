"""Many clients at once: threads and processes writing, incrementing and scanning together."""

from __future__ import annotations

import multiprocessing
import threading

import happybase
import pytest

pytestmark = pytest.mark.integration


def _writer(endpoint, table_name: str, worker: int, rows: int, incs: int, errors: list) -> None:
    try:
        conn = endpoint.connect()
        t = conn.table(table_name)
        with t.batch(batch_size=50) as b:
            for i in range(rows):
                b.put(f"w{worker:02d}-{i:05d}".encode(), {b"cf1:w": str(worker).encode(), b"cf1:i": str(i).encode()})
        for _ in range(incs):
            t.counter_inc(b"shared", b"cf1:count")
        conn.close()
    except Exception as exc:
        errors.append(repr(exc))


class _PlainEndpoint:
    """What a spawned worker gets: conftest classes cannot be pickled by name in a full-suite run
    (several ``conftest`` modules share that name)."""

    def __init__(self, host: str, port: int, transport: str, protocol: str) -> None:
        self.host, self.port, self.transport, self.protocol = host, port, transport, protocol

    def connect(self, **kwargs: object) -> happybase.Connection:
        return happybase.Connection(
            self.host, self.port, transport=self.transport, protocol=self.protocol, timeout=30_000, **kwargs
        )


def _process_writer(args: tuple) -> None:
    address, table_name, worker, rows, incs = args
    endpoint = _PlainEndpoint(*address)
    errors: list = []
    _writer(endpoint, table_name, worker, rows, incs, errors)
    if errors:
        raise RuntimeError(errors[0])


def _check(table: happybase.Table, workers: int, rows: int, incs: int) -> None:
    got = dict(table.scan(row_prefix=b"w"))
    assert len(got) == workers * rows
    for w in range(workers):
        assert got[f"w{w:02d}-{rows - 1:05d}".encode()] == {b"cf1:w": str(w).encode(), b"cf1:i": str(rows - 1).encode()}
    assert table.counter_get(b"shared", b"cf1:count") == workers * incs


def test_concurrent_threads(endpoint, table: happybase.Table) -> None:
    errors: list = []
    stop = threading.Event()
    scanned: list[int] = []

    def reader() -> None:
        conn = endpoint.connect()
        t = conn.table(table.name)
        while not stop.is_set():
            scanned.append(sum(1 for _ in t.scan(batch_size=100)))
        conn.close()

    r = threading.Thread(target=reader)
    r.start()
    threads = [
        threading.Thread(target=_writer, args=(endpoint, table.name.decode(), w, 300, 40, errors)) for w in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    r.join(60)
    assert errors == []
    _check(table, 8, 300, 40)
    assert scanned and scanned == sorted(scanned)  # a reader only ever sees the table grow


def test_concurrent_processes(endpoint, table: happybase.Table) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        address = (endpoint.host, endpoint.port, endpoint.transport, endpoint.protocol)
        pool.map(_process_writer, [(address, table.name.decode(), w, 500, 30) for w in range(3)])
    _check(table, 3, 500, 30)


def test_many_open_connections(endpoint, table: happybase.Table) -> None:
    table.put(b"k", {b"cf1:a": b"v"})
    conns = [endpoint.connect() for _ in range(60)]
    try:
        scans = [c.table(table.name).scan(batch_size=1) for c in conns[:30]]
        for s in scans:
            assert next(s) == (b"k", {b"cf1:a": b"v"})
            s.close()
        assert all(c.table(table.name).row(b"k") == {b"cf1:a": b"v"} for c in conns)
    finally:
        for c in conns:
            c.close()
