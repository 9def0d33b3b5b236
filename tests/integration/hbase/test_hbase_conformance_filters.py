"""HBase's filter language through ``Table.scan(filter=...)``."""

from __future__ import annotations

import happybase
import pytest
from Hbase_thrift import IOError as ThriftIOError
from thriftpy2.thrift import TApplicationException

pytestmark = pytest.mark.integration

ROWS = {
    b"car-001": {b"cf1:speed": b"120", b"cf1:area": b"A01", b"cf1:name": b"Sonata"},
    b"car-002": {b"cf1:speed": b"080", b"cf1:area": b"A02", b"cf1:name": b"Avante"},
    b"car-010": {b"cf1:speed": b"150", b"cf1:area": b"B01"},
    b"truck-1": {b"cf1:speed": b"060", b"cf1:area": b"A01", b"cf1:name": b"Porter"},
    b"van-7": {b"cf1:area": b"C03", b"cf1:name": b"Starex", b"cf2:note": b"it's quoted"},
}


@pytest.fixture
def cars(table: happybase.Table) -> happybase.Table:
    with table.batch() as b:
        for key, data in ROWS.items():
            b.put(key, data)
    return table


def scan_keys(t: happybase.Table, f: str, **kw) -> list[bytes]:
    return [k for k, _ in t.scan(filter=f, **kw)]


def test_prefix_filter(cars: happybase.Table) -> None:
    assert scan_keys(cars, "PrefixFilter('car-0')") == [b"car-001", b"car-002", b"car-010"]
    assert scan_keys(cars, "PrefixFilter('car')", reverse=True) == [b"car-010", b"car-002", b"car-001"]


def test_row_filter_comparators(cars: happybase.Table) -> None:
    assert scan_keys(cars, "RowFilter(=, 'binary:car-002')") == [b"car-002"]
    assert scan_keys(cars, "RowFilter(<, 'binary:car-010')") == [b"car-001", b"car-002"]
    assert scan_keys(cars, "RowFilter(>=, 'binary:truck-1')") == [b"truck-1", b"van-7"]
    assert scan_keys(cars, "RowFilter(!=, 'binary:car-002')") == [b"car-001", b"car-010", b"truck-1", b"van-7"]
    assert scan_keys(cars, "RowFilter(=, 'binaryprefix:car-00')") == [b"car-001", b"car-002"]
    assert scan_keys(cars, "RowFilter(=, 'regexstring:^(truck|van)-')") == [b"truck-1", b"van-7"]
    assert scan_keys(cars, "RowFilter(=, 'regexstring:-0.[12]$')") == [b"car-001", b"car-002"]
    assert scan_keys(cars, "RowFilter(=, 'substring:CK-')") == [b"truck-1"]
    assert scan_keys(cars, "RowFilter(!=, 'substring:car')") == [b"truck-1", b"van-7"]


def test_qualifier_column_prefix_and_value_filters(cars: happybase.Table) -> None:
    rows = dict(cars.scan(filter="QualifierFilter(=, 'binary:name')"))
    assert rows == {k: {b"cf1:name": v[b"cf1:name"]} for k, v in ROWS.items() if b"cf1:name" in v}
    rows = dict(cars.scan(filter="ColumnPrefixFilter('sp')"))
    assert set(rows) == {b"car-001", b"car-002", b"car-010", b"truck-1"}
    assert all(list(cols) == [b"cf1:speed"] for cols in rows.values())
    rows = dict(cars.scan(filter="ValueFilter(=, 'binary:A01')"))
    assert rows == {b"car-001": {b"cf1:area": b"A01"}, b"truck-1": {b"cf1:area": b"A01"}}
    rows = dict(cars.scan(filter="ValueFilter(>, 'binary:100')", columns=[b"cf1:speed"]))
    assert rows == {b"car-001": {b"cf1:speed": b"120"}, b"car-010": {b"cf1:speed": b"150"}}


def test_single_column_value_filter(cars: happybase.Table) -> None:
    f = "SingleColumnValueFilter('cf1', 'speed', >=, 'binary:100')"
    # rows without the column pass unless filterIfMissing
    assert scan_keys(cars, f) == [b"car-001", b"car-010", b"van-7"]
    assert scan_keys(cars, f[:-1] + ", true, true)") == [b"car-001", b"car-010"]
    rows = dict(cars.scan(filter=f[:-1] + ", true, true)"))
    assert rows[b"car-001"] == ROWS[b"car-001"]  # the whole row comes back
    assert scan_keys(cars, "SingleColumnValueFilter('cf1','name',=,'substring:son',true,true)") == [b"car-001"]
    assert scan_keys(cars, "SingleColumnValueFilter('cf1','area',=,'regexstring:^A0[12]$',true,true)") == [
        b"car-001",
        b"car-002",
        b"truck-1",
    ]


def test_single_column_value_filter_latest_version_only(table: happybase.Table) -> None:
    table.put(b"r", {b"cf1:s": b"old"}, timestamp=1)
    table.put(b"r", {b"cf1:s": b"new"}, timestamp=2)
    latest = "SingleColumnValueFilter('cf1','s',=,'binary:old',true,true)"
    any_version = "SingleColumnValueFilter('cf1','s',=,'binary:old',true,false)"
    assert scan_keys(table, latest) == []
    assert scan_keys(table, any_version) == [b"r"]


def test_key_only_and_first_key_only(cars: happybase.Table) -> None:
    rows = dict(cars.scan(filter="KeyOnlyFilter()"))
    assert set(rows) == set(ROWS)
    assert all(v == b"" for cols in rows.values() for v in cols.values())
    assert set(rows[b"car-001"]) == set(ROWS[b"car-001"])
    rows = dict(cars.scan(filter="FirstKeyOnlyFilter()"))
    assert rows[b"car-001"] == {b"cf1:area": b"A01"}
    assert all(len(cols) == 1 for cols in rows.values())


def test_page_filter(cars: happybase.Table) -> None:
    assert scan_keys(cars, "PageFilter(2)") == [b"car-001", b"car-002"]
    assert scan_keys(cars, "PrefixFilter('car') AND PageFilter(2)", row_start=b"car-002") == [b"car-002", b"car-010"]


def test_inclusive_stop_filter(cars: happybase.Table) -> None:
    assert scan_keys(cars, "InclusiveStopFilter('car-010')") == [b"car-001", b"car-002", b"car-010"]


def test_and_or_and_parentheses(cars: happybase.Table) -> None:
    f = "PrefixFilter('car') AND SingleColumnValueFilter('cf1','area',=,'binaryprefix:A',true,true)"
    assert scan_keys(cars, f) == [b"car-001", b"car-002"]
    f = "RowFilter(=,'binary:van-7') OR RowFilter(=,'binary:car-010')"
    assert scan_keys(cars, f) == [b"car-010", b"van-7"]
    f = (
        "(PrefixFilter('car') OR PrefixFilter('truck')) AND "
        "(SingleColumnValueFilter('cf1','area',=,'binary:A01',true,true))"
    )
    assert scan_keys(cars, f) == [b"car-001", b"truck-1"]
    # AND binds tighter than OR
    f = "PrefixFilter('van') OR PrefixFilter('car') AND RowFilter(=,'binary:car-002')"
    assert scan_keys(cars, f) == [b"car-002", b"van-7"]


def test_quoted_quote_in_argument(cars: happybase.Table) -> None:
    assert scan_keys(cars, "ValueFilter(=, 'binary:it''s quoted')") == [b"van-7"]


def test_filter_combined_with_range_columns_and_limit(cars: happybase.Table) -> None:
    f = "SingleColumnValueFilter('cf1','area',=,'binaryprefix:A',true,true)"
    assert scan_keys(cars, f, row_start=b"car-002", row_stop=b"van") == [b"car-002", b"truck-1"]
    assert scan_keys(cars, f, limit=1) == [b"car-001"]
    # HBase refuses a reverse scan whose filter loads column families on demand (this one does)
    with pytest.raises(ThriftIOError) as info:
        scan_keys(cars, f, reverse=True)
    assert b"Reverse scan with loading CFs on demand is not supported" in info.value.message
    assert scan_keys(cars, "PrefixFilter('car')", reverse=True) == [b"car-010", b"car-002", b"car-001"]


def test_unknown_or_malformed_filter_is_an_error_and_the_connection_survives(cars: happybase.Table) -> None:
    # the Thrift1 gateway turns the parse error into an internal error (no message naming the filter)
    for bad in (
        "NoSuchFilter('x')",
        "PrefixFilter('car'",
        "RowFilter(<, 'substring:x')",
        "RowFilter(=, 'nonsense:x')",
        "AND",
    ):
        with pytest.raises(TApplicationException) as info:
            list(cars.scan(filter=bad))
        assert info.value.type == TApplicationException.INTERNAL_ERROR
        assert b"scannerOpenWithScan" in info.value.message
        assert scan_keys(cars, "PrefixFilter('van')") == [b"van-7"]
