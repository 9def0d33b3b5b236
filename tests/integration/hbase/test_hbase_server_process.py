"""The server process itself: durability across kill -9, transports and protocols, the CLI.

These start their own ``python -m smartcar.hbase`` processes, so they are skipped when the suite
points at an external HBase.
"""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.integration


def test_acknowledged_writes_survive_kill_9(own_server, tmp_path) -> None:
    data = tmp_path / "data"
    server = own_server(data).start()
    conn = server.endpoint.connect()
    conn.create_table("crash", {"cf1": {"max_versions": 3}})
    t = conn.table("crash")
    t.put(b"single", {b"cf1:a": b"acked"})
    t.put(b"single", {b"cf1:a": b"v2"}, timestamp=2)
    t.counter_inc(b"counter", b"cf1:n", 5)
    acked: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        """Keeps writing 200-row batches; records each batch only after the server acknowledged it."""
        w = server.endpoint.connect().table("crash")
        n = 0
        try:
            while not stop.is_set():
                with w.batch() as b:
                    for i in range(200):
                        b.put(f"b{n:05d}-{i:03d}".encode(), {b"cf1:batch": str(n).encode()})
                acked.append(n)
                n += 1
        except Exception:
            pass

    th = threading.Thread(target=writer)
    th.start()
    while len(acked) < 5:
        th.join(0.05)
    server.kill()
    stop.set()
    th.join(30)
    conn.close()

    again = own_server(data).start()
    t = again.endpoint.connect().table("crash")
    assert t.row(b"single") == {b"cf1:a": b"acked"}
    assert t.cells(b"single", b"cf1:a", versions=5, include_timestamp=True)[-1] == (b"v2", 2)
    assert t.counter_get(b"counter", b"cf1:n") == 5
    per_batch: dict[int, int] = {}
    for key, _ in t.scan(row_prefix=b"b"):
        batch = int(key[1:6])
        per_batch[batch] = per_batch.get(batch, 0) + 1
    for n in acked:
        assert per_batch.get(n) == 200, f"acknowledged batch {n} lost rows"
    # the batch in flight at the kill is all-or-nothing (one RocksDB WriteBatch)
    assert all(count == 200 for count in per_batch.values())


@pytest.mark.parametrize(
    ("transport", "protocol"), [("framed", "binary"), ("buffered", "compact"), ("framed", "compact")]
)
def test_transports_and_protocols(own_server, transport: str, protocol: str) -> None:
    server = own_server(transport=transport, protocol=protocol).start()
    conn = server.endpoint.connect()
    conn.create_table("tp", {"cf1": {}})
    t = conn.table("tp")
    t.put(b"r\x00", {b"cf1:a": b"\x00\xff"})
    assert t.row(b"r\x00") == {b"cf1:a": b"\x00\xff"}
    assert list(t.scan(filter="PrefixFilter('r')")) == [(b"r\x00", {b"cf1:a": b"\x00\xff"})]
    conn.close()


def test_second_server_on_same_data_dir_is_refused(own_server, tmp_path) -> None:
    own_server(tmp_path / "d").start()
    with pytest.raises(RuntimeError, match="exited"):
        own_server(tmp_path / "d").start(timeout=20)


def test_thrift_scanner_get_one_row_at_a_time(own_server) -> None:
    """``scannerGet`` (not used by happybase) on the same scanner as ``scannerGetList``."""
    server = own_server().start()
    conn = server.endpoint.connect()
    conn.create_table("sg", {"cf1": {}})
    t = conn.table("sg")
    for key in (b"a", b"b", b"c"):
        t.put(key, {b"cf1:x": key})
    for columns in (None, [b"cf1:x"]):
        sid = conn.client.scannerOpen(b"sg", b"", columns, {})
        assert [r.row for r in conn.client.scannerGet(sid)] == [b"a"]
        assert [r.row for r in conn.client.scannerGetList(sid, 5)] == [b"b", b"c"]
        assert conn.client.scannerGet(sid) == []
        conn.client.scannerClose(sid)
    conn.close()


def test_in_process_server_and_client_share_the_idl(tmp_path) -> None:
    """Server and happybase in one process (the server tunes decoding of the shared IDL module)."""
    import happybase

    from smartcar.hbase.server import HbaseThriftServer

    server = HbaseThriftServer(tmp_path / "inproc", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = happybase.Connection("127.0.0.1", server.address[1])
        conn.create_table("ip", {"cf1": {}})
        t = conn.table("ip")
        with t.batch() as b:
            b.put(b"r1", {b"cf1:a": b"1"})
            b.delete(b"r0")
        t.put(b"r2", {b"cf1:a": b"2"}, wal=False)
        assert dict(t.scan()) == {b"r1": {b"cf1:a": b"1"}, b"r2": {b"cf1:a": b"2"}}
        conn.close()
    finally:
        server.close()
