"""The filter-language parser and the semantics of each filter, on plain cell lists."""

from __future__ import annotations

import pytest

from smartcar.hbase.filters import SUPPORTED_FILTERS, FilterError, parse_filter

CELLS = [
    (b"cf1:area", 2, b"A01"),
    (b"cf1:area", 1, b"B02"),
    (b"cf1:speed", 2, b"120"),
    (b"cf2:note", 2, b"hello World"),
]


def run(text: str, row: bytes = b"row-1", cells=CELLS, reverse: bool = False):
    return parse_filter(text, reverse).apply(row, list(cells))


@pytest.mark.parametrize(
    ("op", "operand", "kept"),
    [
        ("<", "120", []),
        ("<=", "120", [b"120"]),
        ("=", "120", [b"120"]),
        ("!=", "120", [b"A01", b"B02", b"hello World"]),
        (">", "100", [b"A01", b"B02", b"120", b"hello World"]),
        (">=", "A01", [b"A01", b"B02", b"hello World"]),
    ],
)
def test_compare_operators_follow_hbase(op: str, operand: str, kept: list[bytes]) -> None:
    assert [c[2] for c in run(f"ValueFilter({op}, 'binary:{operand}')")] == kept


def test_comparators() -> None:
    assert [c[2] for c in run("ValueFilter(=, 'binaryprefix:A0')")] == [b"A01"]
    assert [c[2] for c in run("ValueFilter(=, 'substring:WORLD')")] == [b"hello World"]
    assert [c[2] for c in run("ValueFilter(=, 'regexstring:^[AB]0')")] == [b"A01", b"B02"]
    assert [c[2] for c in run("ValueFilter(!=, 'regexstring:\\d')")] == [b"hello World"]


def test_regex_and_substring_only_with_equality() -> None:
    with pytest.raises(FilterError, match="EQUAL"):
        parse_filter("RowFilter(<, 'regexstring:x')")
    with pytest.raises(FilterError, match="EQUAL"):
        parse_filter("RowFilter(>=, 'substring:x')")


def test_row_level_filters() -> None:
    assert run("PrefixFilter('row')") == CELLS
    assert run("PrefixFilter('x')") == []
    assert run("RowFilter(=, 'binary:row-1')") == CELLS
    assert run("InclusiveStopFilter('row-1')") == CELLS


def test_prefix_and_inclusive_stop_end_the_scan() -> None:
    f = parse_filter("PrefixFilter('b')")
    assert f.apply(b"a1", CELLS) == [] and not f.exhausted
    assert f.apply(b"c1", CELLS) == [] and f.exhausted
    f = parse_filter("PrefixFilter('b')", reverse=True)
    assert f.apply(b"c1", CELLS) == [] and not f.exhausted
    assert f.apply(b"a1", CELLS) == [] and f.exhausted
    f = parse_filter("InclusiveStopFilter('m')")
    assert f.apply(b"m", CELLS) == CELLS and not f.exhausted
    assert f.apply(b"n", CELLS) == [] and f.exhausted


def test_column_filters() -> None:
    assert {c[0] for c in run("QualifierFilter(=, 'binary:speed')")} == {b"cf1:speed"}
    assert {c[0] for c in run("FamilyFilter(=, 'binary:cf2')")} == {b"cf2:note"}
    assert {c[0] for c in run("ColumnPrefixFilter('ar')")} == {b"cf1:area"}
    assert {c[0] for c in run("MultipleColumnPrefixFilter('sp', 'no')")} == {b"cf1:speed", b"cf2:note"}
    assert {c[0] for c in run("ColumnRangeFilter('area', false, 'speed', true)")} == {b"cf1:speed", b"cf2:note"}
    assert {c[0] for c in run("ColumnRangeFilter('', true, 'note', false)")} == {b"cf1:area"}
    assert run("TimestampsFilter(1)") == [CELLS[1]]
    assert [c[0] for c in run("ColumnPaginationFilter(1, 1)")] == [b"cf1:speed"]


def test_single_column_value_filter() -> None:
    assert run("SingleColumnValueFilter('cf1', 'area', =, 'binary:A01')") == CELLS
    assert run("SingleColumnValueFilter('cf1', 'area', =, 'binary:B02')") == []
    assert run("SingleColumnValueFilter('cf1', 'area', =, 'binary:B02', false, false)") == CELLS
    assert run("SingleColumnValueFilter('cf1', 'missing', =, 'binary:x')") == CELLS
    assert run("SingleColumnValueFilter('cf1', 'missing', =, 'binary:x', true, true)") == []
    excluded = run("SingleColumnValueExcludeFilter('cf1', 'area', =, 'binary:A01')")
    assert [c[0] for c in excluded] == [b"cf1:speed", b"cf2:note"]


def test_key_only_first_key_only_page() -> None:
    assert [c[2] for c in run("KeyOnlyFilter()")] == [b""] * 4
    assert run("KeyOnlyFilter(true)")[0][2] == (3).to_bytes(4, "big")
    assert run("FirstKeyOnlyFilter()") == CELLS[:1]
    f = parse_filter("PageFilter(2)")
    assert f.apply(b"a", CELLS) and not f.exhausted
    assert f.apply(b"b", CELLS) and f.exhausted


def test_boolean_operators_and_precedence() -> None:
    assert run("PrefixFilter('x') OR PrefixFilter('row')") == CELLS
    assert run("PrefixFilter('x') AND PrefixFilter('row')") == []
    # AND binds tighter: x OR (row AND y) -> nothing; (x OR row) AND row -> everything
    assert run("PrefixFilter('x') OR PrefixFilter('row') AND PrefixFilter('y')") == []
    assert run("(PrefixFilter('x') OR PrefixFilter('row')) AND PrefixFilter('row')") == CELLS
    assert run("PrefixFilter('row') and ValueFilter(=, 'binary:120')") == [CELLS[2]]
    union = run("QualifierFilter(=, 'binary:speed') OR FamilyFilter(=, 'binary:cf2')")
    assert [c[0] for c in union] == [b"cf1:speed", b"cf2:note"]


def test_skip_and_while() -> None:
    assert run("SKIP ValueFilter(!=, 'binary:120')") == []
    assert run("SKIP ValueFilter(!=, 'binary:zzz')") == CELLS
    f = parse_filter("WHILE RowFilter(<, 'binary:m')")
    assert f.apply(b"a", CELLS) == CELLS and not f.exhausted
    assert f.apply(b"z", CELLS) == [] and f.exhausted


def test_quotes_are_doubled() -> None:
    cells = [(b"cf:q", 1, b"it's")]
    assert run("ValueFilter(=, 'binary:it''s')", cells=cells) == cells


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DependentColumnFilter('a', 'b')", "DependentColumnFilter not supported"),
        ("PrefixFilter('a'", "Malformed"),
        ("PrefixFilter('a') AND", "Malformed"),
        ("PrefixFilter('a', 'b')", "expects 1"),
        ("RowFilter(=, 'bogus:x')", "comparator type"),
        ("RowFilter('binary:x', =)", "comparison operator"),
        ("PageFilter('x')", "quoted|integer"),
        ("PrefixFilter('unterminated)", "Unterminated"),
        ("", "Empty"),
    ],
)
def test_bad_filters_are_rejected_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        parse_filter(text)


def test_required_filters_are_supported() -> None:
    required = {
        "PrefixFilter",
        "RowFilter",
        "QualifierFilter",
        "ColumnPrefixFilter",
        "ValueFilter",
        "SingleColumnValueFilter",
        "KeyOnlyFilter",
        "FirstKeyOnlyFilter",
        "PageFilter",
        "InclusiveStopFilter",
    }
    assert required <= set(SUPPORTED_FILTERS)
