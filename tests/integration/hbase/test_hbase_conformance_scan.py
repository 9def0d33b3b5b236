"""Scanners: ranges, prefixes, columns, timestamps, batching, limits, reverse, sorted columns."""

from __future__ import annotations

from collections import OrderedDict

import happybase
import pytest

pytestmark = pytest.mark.integration

KEYS = [b"a", b"a\x00", b"aa", b"ab", b"b", b"ba", b"c", b"\xff", b"\xff\xff"]


@pytest.fixture
def filled(table: happybase.Table) -> happybase.Table:
    with table.batch() as b:
        for i, key in enumerate(KEYS):
            b.put(key, {b"cf1:n": str(i).encode(), b"cf1:m": b"x", b"cf2:z": key})
    return table


def keys(scan) -> list[bytes]:
    return [k for k, _ in scan]


def test_full_scan_in_byte_order(filled: happybase.Table) -> None:
    assert keys(filled.scan()) == sorted(KEYS)


def test_start_inclusive_stop_exclusive(filled: happybase.Table) -> None:
    assert keys(filled.scan(row_start=b"aa", row_stop=b"b")) == [b"aa", b"ab"]
    assert keys(filled.scan(row_start=b"a\x00")) == sorted(KEYS)[1:]
    assert keys(filled.scan(row_stop=b"a\x00")) == [b"a"]
    assert keys(filled.scan(row_start=b"ab0", row_stop=b"bz")) == [b"b", b"ba"]


def test_empty_ranges(filled: happybase.Table) -> None:
    # start == stop is HBase's "get scan": exactly that row (Scan.isGetScan)
    assert keys(filled.scan(row_start=b"b", row_stop=b"b")) == [b"b"]
    assert keys(filled.scan(row_start=b"bz", row_stop=b"bz")) == []
    assert keys(filled.scan(row_start=b"bb", row_stop=b"bc")) == []
    assert keys(filled.scan(row_start=b"\xff\xff\x00")) == []
    assert keys(filled.scan(row_prefix=b"nothing")) == []


def test_stop_before_start_returns_nothing(filled: happybase.Table) -> None:
    assert keys(filled.scan(row_start=b"c", row_stop=b"a")) == []


def test_row_prefix(filled: happybase.Table) -> None:
    assert keys(filled.scan(row_prefix=b"a")) == [b"a", b"a\x00", b"aa", b"ab"]
    assert keys(filled.scan(row_prefix=b"a\x00")) == [b"a\x00"]


def test_prefix_at_end_of_key_space(filled: happybase.Table) -> None:
    assert keys(filled.scan(row_prefix=b"\xff")) == [b"\xff", b"\xff\xff"]
    assert keys(filled.scan(row_prefix=b"\xff\xff")) == [b"\xff\xff"]
    # happybase turns a reverse prefix scan into start=increment(prefix) (inclusive), stop=prefix
    # (exclusive), so on HBase the prefix row itself is left out: same here.
    assert keys(filled.scan(row_prefix=b"\xff", reverse=True)) == [b"\xff\xff"]


def test_columns_selection(filled: happybase.Table) -> None:
    rows = dict(filled.scan(columns=[b"cf1:n"]))
    assert rows[b"c"] == {b"cf1:n": b"6"}
    rows = dict(filled.scan(columns=[b"cf2"]))
    assert rows[b"c"] == {b"cf2:z": b"c"}
    rows = dict(filled.scan(columns=[b"cf1:nope"]))
    assert rows == {}


def test_limit_and_batch_size(filled: happybase.Table) -> None:
    assert keys(filled.scan(limit=3)) == sorted(KEYS)[:3]
    assert keys(filled.scan(limit=3, batch_size=1)) == sorted(KEYS)[:3]
    assert keys(filled.scan(batch_size=2)) == sorted(KEYS)
    assert keys(filled.scan(limit=100)) == sorted(KEYS)


def test_reverse_scans(filled: happybase.Table) -> None:
    assert keys(filled.scan(reverse=True)) == sorted(KEYS, reverse=True)
    assert keys(filled.scan(row_start=b"b", row_stop=b"a", reverse=True)) == [b"b", b"ab", b"aa", b"a\x00"]
    assert keys(filled.scan(row_start=b"az", reverse=True)) == [b"ab", b"aa", b"a\x00", b"a"]
    # happybase's reverse row_prefix quirk (see test_prefix_at_end_of_key_space): start=b"b" is
    # inclusive and stop=b"a" exclusive, exactly as HBase executes it.
    assert keys(filled.scan(row_prefix=b"a", reverse=True)) == [b"b", b"ab", b"aa", b"a\x00"]
    assert keys(filled.scan(reverse=True, limit=2, batch_size=1)) == [b"\xff\xff", b"\xff"]


def test_sorted_columns(filled: happybase.Table) -> None:
    filled.put(b"c", {b"cf1:zz": b"1", b"cf1:aa": b"2"})
    row = dict(filled.scan(row_start=b"c", row_stop=b"c\x00", sorted_columns=True))[b"c"]
    assert isinstance(row, OrderedDict)
    assert list(row) == [b"cf1:aa", b"cf1:m", b"cf1:n", b"cf1:zz", b"cf2:z"]


def test_scan_timestamp_and_include_timestamp(table: happybase.Table) -> None:
    table.put(b"r1", {b"cf1:a": b"old"}, timestamp=100)
    table.put(b"r1", {b"cf1:a": b"new"}, timestamp=200)
    table.put(b"r2", {b"cf1:a": b"late"}, timestamp=300)
    assert list(table.scan(timestamp=201, include_timestamp=True)) == [(b"r1", {b"cf1:a": (b"new", 200)})]
    assert list(table.scan(timestamp=150)) == [(b"r1", {b"cf1:a": b"old"})]


def test_scan_batching_splits_wide_rows(table: happybase.Table) -> None:
    table.put(b"w", {f"cf1:c{i}".encode(): b"v" for i in range(5)})
    parts = list(table.scan(scan_batching=2))
    assert [k for k, _ in parts] == [b"w", b"w", b"w"]
    assert [len(cols) for _, cols in parts] == [2, 2, 1]
    merged = {}
    for _, cols in parts:
        merged.update(cols)
    assert len(merged) == 5


def test_scanner_sees_a_consistent_snapshot(filled: happybase.Table) -> None:
    scan = filled.scan(batch_size=2)
    first = next(scan)
    filled.put(b"aaa", {b"cf1:n": b"new"})
    rest = [k for k, _ in scan]
    assert first[0] == b"a"
    assert len(rest) == len(KEYS) - 1 or len(rest) == len(KEYS)  # HBase may or may not show it
    assert b"b" in rest


def test_abandoned_scanners_do_not_break_the_connection(filled: happybase.Table) -> None:
    for _ in range(50):
        scan = filled.scan(batch_size=1)
        next(scan)
        scan.close()
    assert keys(filled.scan()) == sorted(KEYS)


def test_many_rows_across_batches(table: happybase.Table) -> None:
    with table.batch(batch_size=2000) as b:
        for i in range(5000):
            b.put(f"{i:06d}".encode(), {b"cf1:i": str(i).encode()})
    got = keys(table.scan(batch_size=333))
    assert got == [f"{i:06d}".encode() for i in range(5000)]
    assert keys(table.scan(row_start=b"004990", reverse=True, limit=3)) == [b"004990", b"004989", b"004988"]
