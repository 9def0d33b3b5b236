"""The RocksDB layout: versions, deletes, ordering, reverse ranges and persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.hbase.storage import (
    Family,
    InvalidArgument,
    Mutation,
    ReadSpec,
    StorageError,
    Store,
    TableExists,
    limit_versions,
    row_cells,
)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "db")
    yield s
    s.close()


def put(store: Store, table, row: bytes, column: bytes, value: bytes, ts: int) -> None:
    store.mutate(table, [(row, [Mutation(False, column, value, ts)])])


def test_versions_ordering_and_limit(store: Store) -> None:
    t = store.create_table("t", [Family("f", max_versions=2)])
    for ts in (5, 1, 9, 7):
        put(store, t, b"r", b"f:q", str(ts).encode(), ts)
    row = store.get_row(t, b"r")
    assert row == {b"f:q": [(9, b"9"), (7, b"7")]}


def test_columns_sorted_by_family_then_qualifier(store: Store) -> None:
    t = store.create_table("t", [Family("cf"), Family("cf1")])
    store.mutate(t, [(b"r", [Mutation(False, c, b"", 1) for c in (b"cf1:a", b"cf:z", b"cf:a")])])
    assert list(store.get_row(t, b"r")) == [b"cf:a", b"cf:z", b"cf1:a"]


def test_deletes(store: Store) -> None:
    t = store.create_table("t", [Family("f", max_versions=5), Family("g")])
    for ts in (1, 2, 3):
        put(store, t, b"r", b"f:a", b"x", ts)
    put(store, t, b"r", b"g:b", b"y", 1)
    store.mutate(t, [(b"r", [Mutation(True, b"f:a", b"", 2)])])
    assert store.get_row(t, b"r")[b"f:a"] == [(3, b"x")]
    store.mutate(t, [(b"r", [Mutation(True, b"g", b"", 10)])])
    assert b"g:b" not in store.get_row(t, b"r")
    store.mutate(t, [(b"r", [Mutation(True, b"f", b"", 10)])])
    assert store.get_row(t, b"r") is None


def test_row_cells_time_range_columns_and_versions(store: Store) -> None:
    t = store.create_table("t", [Family("f", max_versions=5), Family("g")])
    for ts in (1, 2, 3):
        put(store, t, b"r", b"f:a", str(ts).encode(), ts)
    put(store, t, b"r", b"g:b", b"y", 1)
    row = store.get_row(t, b"r")
    cells = row_cells(t, row, ReadSpec.from_columns([b"f"], max_ts=3), now=10)
    assert cells == [(b"f:a", 2, b"2"), (b"f:a", 1, b"1")]
    assert limit_versions(cells, 1) == [(b"f:a", 2, b"2")]
    assert [c[0] for c in row_cells(t, row, ReadSpec.from_columns([b"g:b"]), now=10)] == [b"g:b"]


def test_iterate_forward_and_reverse_bounds(store: Store) -> None:
    t = store.create_table("t", [Family("f")])
    other = store.create_table("u", [Family("f")])
    keys = [b"\x00", b"a", b"a\x00", b"b", b"\xff"]
    for k in keys:
        put(store, t, k, b"f:q", b"v", 1)
        put(store, other, k, b"f:q", b"v", 1)

    def fwd(start: bytes, stop: bytes | None) -> list[bytes]:
        return [k for k, _ in store.iterate(t, start, stop, False)]

    def rev(start: bytes, stop: bytes | None) -> list[bytes]:
        return [k for k, _ in store.iterate(t, start, stop, True)]

    assert fwd(b"", None) == keys
    assert fwd(b"a", b"b") == [b"a", b"a\x00"]
    assert rev(b"", None) == keys[::-1]
    assert rev(b"b", b"a") == [b"b", b"a\x00"]
    assert rev(b"a\x01", None) == [b"a\x00", b"a", b"\x00"]


def test_table_lifecycle_and_errors(store: Store, tmp_path: Path) -> None:
    t = store.create_table("t", [Family("f")])
    with pytest.raises(TableExists):
        store.create_table("t", [Family("f")])
    with pytest.raises(InvalidArgument):
        store.create_table("bad name", [Family("f")])
    with pytest.raises(InvalidArgument):
        store.create_table("nofam", [])
    with pytest.raises(StorageError, match="NoSuchColumnFamily"):
        put(store, t, b"r", b"nope:q", b"v", 1)
    with pytest.raises(InvalidArgument, match="Row length is 0"):
        put(store, t, b"", b"f:q", b"v", 1)
    with pytest.raises(StorageError, match="TableNotDisabled"):
        store.delete_table(b"t")
    put(store, t, b"r", b"f:q", b"v", 1)
    store.set_enabled(b"t", False)
    with pytest.raises(StorageError, match="TableNotEnabled"):
        store.table(b"t")
    store.delete_table(b"t")
    again = store.create_table("t", [Family("f")])
    assert again.tid != t.tid
    assert list(store.iterate(again, b"", None, False)) == []


def test_reopen_keeps_tables_and_rows(tmp_path: Path) -> None:
    s = Store(tmp_path / "db")
    t = s.create_table("t", [Family("f", max_versions=4, time_to_live=60)])
    put(s, t, b"r", b"f:q", b"v", 1)
    s.close()
    s = Store(tmp_path / "db")
    t2 = s.table(b"t")
    assert t2.families["f"].max_versions == 4 and t2.families["f"].time_to_live == 60
    assert s.get_row(t2, b"r") == {b"f:q": [(1, b"v")]}
    s.close()


def test_compaction_drops_expired_cells(store: Store) -> None:
    import time

    t = store.create_table("t", [Family("short", time_to_live=1), Family("long")])
    old = int(time.time() * 1000) - 10_000
    store.mutate(t, [(b"gone", [Mutation(False, b"short:a", b"x", old)])])
    store.mutate(t, [(b"mixed", [Mutation(False, b"short:a", b"x", old), Mutation(False, b"long:a", b"y", old)])])
    assert store.compact(t) == 2
    assert store.get_row(t, b"gone") is None
    assert store.get_row(t, b"mixed") == {b"long:a": [(old, b"y")]}
