"""kill -9 of the embedded HBase (master/region server and Thrift gateway) mid-write: every
acknowledged cell is there after the restart (the durability of ``RawLocalFileSystem``, see
:mod:`smartcar.runtime.services.hbase`)."""

from __future__ import annotations

import os
import signal
import threading

import psutil
import pytest

from smartcar import runtime

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(os.environ.get("SMARTCAR_HBASE_CONFORMANCE_URL")), reason="kills the session's HBase"),
]


def _kill_9(settings) -> None:
    pids = [p for st in runtime.status(settings) if st.name == "hbase" for p in st.pids]
    assert len(pids) == 2, pids  # master (with region server and ZooKeeper) and the Thrift gateway
    victims = [q for pid in pids for q in (psutil.Process(pid), *psutil.Process(pid).children(recursive=True))]
    for victim in victims:
        victim.send_signal(signal.SIGKILL)
    _gone, alive = psutil.wait_procs(victims, timeout=30)
    assert not alive


def test_acknowledged_writes_survive_kill_9(hbase_service, endpoint, make_table) -> None:
    table = make_table({"cf1": {"max_versions": 3}})
    name = table.name.decode()
    table.put(b"single", {b"cf1:a": b"acked"})
    table.put(b"single", {b"cf1:a": b"v2"}, timestamp=2)
    table.counter_inc(b"counter", b"cf1:n", 5)
    acked: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        """Keeps writing 200-row batches; records each batch only after the gateway acknowledged it."""
        w = endpoint.connect().table(name)
        n = 0
        try:
            while not stop.is_set():
                with w.batch() as b:
                    for i in range(200):
                        b.put(f"b{n:05d}-{i:03d}".encode(), {b"cf1:batch": str(n).encode()})
                acked.append(n)
                n += 1
        except Exception:
            pass  # the gateway died under us: this batch was not acknowledged

    thread = threading.Thread(target=writer)
    thread.start()
    while len(acked) < 20:
        thread.join(0.05)
        assert thread.is_alive(), "writer stopped before the kill"
    _kill_9(hbase_service)
    stop.set()
    thread.join(60)
    assert not thread.is_alive()

    runtime.up(["hbase"], hbase_service, echo=lambda _m: None)
    conn = endpoint.connect()
    try:
        t = conn.table(name)
        assert t.row(b"single") == {b"cf1:a": b"acked"}
        assert t.cells(b"single", b"cf1:a", versions=5, include_timestamp=True)[-1] == (b"v2", 2)
        assert t.counter_get(b"counter", b"cf1:n") == 5
        per_batch: dict[int, int] = {}
        for key, _ in t.scan(row_prefix=b"b", filter="KeyOnlyFilter()", batch_size=5000):
            per_batch[int(key[1:6])] = per_batch.get(int(key[1:6]), 0) + 1
    finally:
        conn.delete_table(name, disable=True)  # the fixture's own connection died with the gateway
        conn.close()
    lost = [n for n in acked if per_batch.get(n) != 200]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged batches lost rows"
