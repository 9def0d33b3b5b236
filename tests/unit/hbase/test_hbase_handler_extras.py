"""Thrift methods happybase does not expose (append, checkAndPut, increments, getRowOrBefore...),
called on the handler directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.hbase.handler import HbaseHandler
from smartcar.hbase.idl import Hbase
from smartcar.hbase.storage import InvalidArgument, Store


@pytest.fixture
def handler(tmp_path: Path):
    store = Store(tmp_path / "db")
    h = HbaseHandler(store)
    h.createTable(b"t", [Hbase.ColumnDescriptor(name=b"f:", maxVersions=3), Hbase.ColumnDescriptor(name=b"g")])
    yield h
    store.close()


def put(h: HbaseHandler, row: bytes, column: bytes, value: bytes) -> None:
    h.mutateRow(b"t", row, [Hbase.Mutation(isDelete=False, column=column, value=value)], {})


def test_check_and_put(handler: HbaseHandler) -> None:
    m = Hbase.Mutation(isDelete=False, column=b"f:b", value=b"new")
    assert handler.checkAndPut(b"t", b"r", b"f:a", None, m, {}) is True  # absent -> applies
    assert handler.checkAndPut(b"t", b"r", b"f:a", b"x", m, {}) is False
    put(handler, b"r", b"f:a", b"x")
    m2 = Hbase.Mutation(isDelete=False, column=b"f:c", value=b"c")
    assert handler.checkAndPut(b"t", b"r", b"f:a", b"x", m2, {}) is True
    cols = handler.getRow(b"t", b"r", {})[0].columns
    assert {k: v.value for k, v in cols.items()} == {b"f:a": b"x", b"f:b": b"new", b"f:c": b"c"}


def test_append_and_increments(handler: HbaseHandler) -> None:
    put(handler, b"r", b"f:s", b"ab")
    cells = handler.append(Hbase.TAppend(table=b"t", row=b"r", columns=[b"f:s", b"g:t"], values=[b"cd", b"z"]))
    assert [c.value for c in cells] == [b"abcd", b"z"]
    handler.increment(Hbase.TIncrement(table=b"t", row=b"r", column=b"f:n", ammount=3))
    handler.incrementRows([Hbase.TIncrement(table=b"t", row=b"r", column=b"f:n", ammount=4)])
    assert handler.atomicIncrement(b"t", b"r", b"f:n", 0) == 7
    with pytest.raises(InvalidArgument, match="not a long"):
        handler.atomicIncrement(b"t", b"r", b"f:s", 1)


def test_get_row_or_before_and_region_info(handler: HbaseHandler) -> None:
    put(handler, b"a", b"f:x", b"1")
    put(handler, b"c", b"g:y", b"2")
    assert [c.value for c in handler.getRowOrBefore(b"t", b"b", b"f")] == [b"1"]
    assert [c.value for c in handler.getRowOrBefore(b"t", b"z", b"g")] == [b"2"]
    assert handler.getRowOrBefore(b"t", b"0", b"f") == []
    region = handler.getTableRegions(b"t")[0]
    assert handler.getRegionInfo(region.name).name == region.name


def test_mutate_row_applies_deletes_before_puts(handler: HbaseHandler) -> None:
    put(handler, b"r", b"f:a", b"old")
    handler.mutateRow(
        b"t",
        b"r",
        [Hbase.Mutation(isDelete=False, column=b"f:a", value=b"new"), Hbase.Mutation(isDelete=True, column=b"f:a")],
        {},
    )
    assert handler.get(b"t", b"r", b"f:a", {})[0].value == b"new"


def test_scanner_api_without_happybase(handler: HbaseHandler) -> None:
    for key in (b"a", b"b", b"c"):
        put(handler, key, b"f:x", key)
    sid = handler.scannerOpenWithPrefix(b"t", b"b", None, {})
    assert [r.row for r in handler.scannerGetList(sid, 10)] == [b"b"]
    handler.scannerClose(sid)
    with pytest.raises(InvalidArgument):
        handler.scannerGet(sid)
    sid = handler.scannerOpenWithStopTs(b"t", b"a", b"c", [b"f:x"], 2**62, {})
    assert [r.row for r in handler.scannerGet(sid)] == [b"a"]
    assert [r.row for r in handler.scannerGetList(sid, 5)] == [b"b"]
    assert handler.scannerGetList(sid, 5) == []
