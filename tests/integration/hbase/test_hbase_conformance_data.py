"""Puts, gets, versions, timestamps, deletes, counters, batches and awkward keys and values."""

from __future__ import annotations

import struct
import time

import happybase
import pytest
from Hbase_thrift import IllegalArgument
from Hbase_thrift import IOError as ThriftIOError

pytestmark = pytest.mark.integration


def test_put_and_get_row(table: happybase.Table) -> None:
    table.put(b"row1", {b"cf1:a": b"1", b"cf1:b": b"2", b"cf2:c": b"3"})
    assert table.row(b"row1") == {b"cf1:a": b"1", b"cf1:b": b"2", b"cf2:c": b"3"}
    assert table.row(b"row1", columns=[b"cf1:a", b"cf2"]) == {b"cf1:a": b"1", b"cf2:c": b"3"}
    assert table.row(b"row1", columns=[b"cf1"]) == {b"cf1:a": b"1", b"cf1:b": b"2"}
    assert table.row(b"missing") == {}


def test_text_keys_are_utf8(table: happybase.Table) -> None:
    table.put("차량-1", {"cf1:이름": "값"})
    assert table.row("차량-1") == {"cf1:이름".encode(): "값".encode()}


def test_rows_returns_found_rows_in_request_order(table: happybase.Table) -> None:
    for key in (b"a", b"b", b"c"):
        table.put(key, {b"cf1:x": key})
    assert table.rows([b"c", b"missing", b"a"]) == [(b"c", {b"cf1:x": b"c"}), (b"a", {b"cf1:x": b"a"})]
    assert dict(table.rows([b"a", b"b"], columns=[b"cf1:x"])) == {b"a": {b"cf1:x": b"a"}, b"b": {b"cf1:x": b"b"}}


def test_binary_row_keys_and_values_are_byte_exact(table: happybase.Table) -> None:
    keys = [b"\x00", b"\x00\x00", b"a\x00b", b"a", b"\xff\xfe", b"\x01\xff\x00", bytes(range(256))]
    for i, key in enumerate(keys):
        table.put(key, {b"cf1:v": bytes([i]) + b"\x00\xff" + key})
    for i, key in enumerate(keys):
        assert table.row(key) == {b"cf1:v": bytes([i]) + b"\x00\xff" + key}
    assert [k for k, _ in table.scan()] == sorted(keys)


def test_empty_qualifier_and_empty_value(table: happybase.Table) -> None:
    table.put(b"r", {b"cf1:": b"no qualifier", b"cf1:empty": b""})
    assert table.row(b"r") == {b"cf1:": b"no qualifier", b"cf1:empty": b""}


def test_put_to_unknown_family_fails_and_writes_nothing(table: happybase.Table) -> None:
    with pytest.raises((ThriftIOError, IllegalArgument)):
        table.put(b"r", {b"cf1:a": b"1", b"nope:a": b"1"})
    assert table.row(b"r") == {}


def test_versions_newest_first_and_capped_by_max_versions(table: happybase.Table) -> None:
    for ts in (10, 30, 20, 40, 50):
        table.put(b"r", {b"cf1:a": f"v{ts}".encode()}, timestamp=ts)
    assert table.cells(b"r", b"cf1:a", versions=10, include_timestamp=True) == [
        (b"v50", 50),
        (b"v40", 40),
        (b"v30", 30),
    ]
    assert table.cells(b"r", b"cf1:a", versions=2) == [b"v50", b"v40"]
    assert table.cells(b"r", b"cf1:a") == [b"v50", b"v40", b"v30"]
    assert table.row(b"r", include_timestamp=True) == {b"cf1:a": (b"v50", 50)}
    # cf2 keeps one version only
    table.put(b"r", {b"cf2:b": b"old"}, timestamp=1)
    table.put(b"r", {b"cf2:b": b"new"}, timestamp=2)
    assert table.cells(b"r", b"cf2:b", versions=5) == [b"new"]


def test_older_put_than_kept_versions_is_invisible(table: happybase.Table) -> None:
    for ts in (100, 200, 300):
        table.put(b"r", {b"cf1:a": str(ts).encode()}, timestamp=ts)
    table.put(b"r", {b"cf1:a": b"ancient"}, timestamp=5)
    assert table.cells(b"r", b"cf1:a", versions=10) == [b"300", b"200", b"100"]


def test_same_timestamp_put_overwrites(table: happybase.Table) -> None:
    table.put(b"r", {b"cf1:a": b"first"}, timestamp=7)
    table.put(b"r", {b"cf1:a": b"second"}, timestamp=7)
    assert table.cells(b"r", b"cf1:a", versions=5, include_timestamp=True) == [(b"second", 7)]


def test_timestamp_reads_are_exclusive_upper_bounds(table: happybase.Table) -> None:
    for ts in (10, 20, 30):
        table.put(b"r", {b"cf1:a": str(ts).encode(), b"cf1:b": str(ts).encode()}, timestamp=ts)
    assert table.row(b"r", timestamp=30) == {b"cf1:a": b"20", b"cf1:b": b"20"}
    assert table.row(b"r", timestamp=11, include_timestamp=True) == {b"cf1:a": (b"10", 10), b"cf1:b": (b"10", 10)}
    assert table.row(b"r", timestamp=10) == {}
    assert table.cells(b"r", b"cf1:a", timestamp=30, versions=5) == [b"20", b"10"]
    assert table.rows([b"r"], timestamp=21) == [(b"r", {b"cf1:a": b"20", b"cf1:b": b"20"})]


def test_server_timestamps_are_milliseconds_now(table: happybase.Table) -> None:
    before = int(time.time() * 1000)
    table.put(b"r", {b"cf1:a": b"1"})
    after = int(time.time() * 1000)
    (_, ts) = table.row(b"r", include_timestamp=True)[b"cf1:a"]
    assert before - 5000 <= ts <= after + 5000


def test_correction_keeps_history_readable(table: happybase.Table) -> None:
    """The record-correction flow: a Put over a cell keeps the earlier value as a version."""
    table.put(b"evt", {b"cf1:speed": b"120"}, timestamp=1_000)
    table.put(b"evt", {b"cf1:speed": b"95"}, timestamp=2_000)
    assert table.row(b"evt") == {b"cf1:speed": b"95"}
    assert table.cells(b"evt", b"cf1:speed", versions=5, include_timestamp=True) == [(b"95", 2000), (b"120", 1000)]


def test_delete_row_column_and_family(table: happybase.Table) -> None:
    table.put(b"r", {b"cf1:a": b"1", b"cf1:b": b"2", b"cf2:c": b"3"})
    table.delete(b"r", columns=[b"cf1:a"])
    assert table.row(b"r") == {b"cf1:b": b"2", b"cf2:c": b"3"}
    table.delete(b"r", columns=[b"cf2"])
    assert table.row(b"r") == {b"cf1:b": b"2"}
    table.delete(b"r")
    assert table.row(b"r") == {}
    assert list(table.scan()) == []


def test_delete_removes_all_versions_up_to_timestamp(table: happybase.Table) -> None:
    for ts in (10, 20, 30):
        table.put(b"r", {b"cf1:a": str(ts).encode()}, timestamp=ts)
    table.delete(b"r", columns=[b"cf1:a"], timestamp=20)
    assert table.cells(b"r", b"cf1:a", versions=5, include_timestamp=True) == [(b"30", 30)]
    table.delete(b"r", columns=[b"cf1:a"])
    assert table.cells(b"r", b"cf1:a", versions=5) == []


def test_delete_without_timestamp_spares_future_cells(table: happybase.Table) -> None:
    future = int(time.time() * 1000) + 3_600_000
    table.put(b"r", {b"cf1:a": b"future"}, timestamp=future)
    table.put(b"r", {b"cf1:b": b"now"})
    table.delete(b"r")
    assert table.row(b"r") == {b"cf1:a": b"future"}


def test_batch_puts_and_deletes(table: happybase.Table) -> None:
    with table.batch(batch_size=7) as b:
        for i in range(100):
            b.put(f"row{i:03d}".encode(), {b"cf1:i": str(i).encode(), b"cf2:sq": str(i * i).encode()})
        b.delete(b"row050")
    rows = dict(table.scan())
    assert len(rows) == 99 and b"row050" not in rows
    assert rows[b"row007"] == {b"cf1:i": b"7", b"cf2:sq": b"49"}


def test_put_then_delete_in_one_batch_deletes(table: happybase.Table) -> None:
    with table.batch() as b:
        b.put(b"r", {b"cf1:a": b"1"})
        b.delete(b"r", columns=[b"cf1:a"])
    assert table.row(b"r") == {}


def test_transactional_batch_is_not_sent_on_error(table: happybase.Table) -> None:
    with pytest.raises(ValueError), table.batch(transaction=True) as b:
        b.put(b"r", {b"cf1:a": b"1"})
        raise ValueError("abort")
    assert table.row(b"r") == {}


def test_batch_with_timestamp_and_no_wal(table: happybase.Table) -> None:
    with table.batch(timestamp=12345, wal=False) as b:
        b.put(b"r", {b"cf1:a": b"1"})
    assert table.row(b"r", include_timestamp=True) == {b"cf1:a": (b"1", 12345)}


def test_counters(table: happybase.Table) -> None:
    assert table.counter_get(b"c", b"cf1:n") == 0
    assert table.counter_inc(b"c", b"cf1:n") == 1
    assert table.counter_inc(b"c", b"cf1:n", value=41) == 42
    assert table.counter_dec(b"c", b"cf1:n", value=2) == 40
    table.counter_set(b"c", b"cf1:n", -7)
    assert table.counter_get(b"c", b"cf1:n") == -7
    assert table.row(b"c") == {b"cf1:n": struct.pack(">q", -7)}


def test_counter_on_non_counter_value_fails(table: happybase.Table) -> None:
    table.put(b"c", {b"cf1:n": b"abc"})
    with pytest.raises((ThriftIOError, IllegalArgument)):
        table.counter_inc(b"c", b"cf1:n")


def test_huge_row_and_huge_value(table: happybase.Table) -> None:
    wide = {f"cf1:q{i:05d}".encode(): str(i).encode() for i in range(20_000)}
    with table.batch(batch_size=5000) as b:
        b.put(b"wide", wide)
    assert table.row(b"wide") == wide
    big = bytes(range(256)) * 8192  # 2 MiB
    table.put(b"big", {b"cf2:blob": big})
    assert table.row(b"big") == {b"cf2:blob": big}
    rows = dict(table.scan(batch_size=1))
    assert len(rows[b"wide"]) == 20_000 and rows[b"big"][b"cf2:blob"] == big


def test_time_to_live_expires_cells(make_table) -> None:
    t = make_table({"short": {"time_to_live": 1}, "long": {}})
    now = int(time.time() * 1000)
    t.put(b"r", {b"short:a": b"gone soon", b"long:a": b"stays"})
    t.put(b"old", {b"short:a": b"already expired"}, timestamp=now - 10_000)
    assert t.row(b"r") == {b"short:a": b"gone soon", b"long:a": b"stays"}
    assert t.row(b"old") == {}
    time.sleep(2.2)
    assert t.row(b"r") == {b"long:a": b"stays"}
    assert [k for k, _ in t.scan()] == [b"r"]
