"""Filter strings: the HBase filter language text each condition becomes."""

from __future__ import annotations

import re

import pytest

from smartcar.records.conditions import parse_condition
from smartcar.records.filters import Unsatisfiable, condition_filter, conditions_filter, quote, regex_escape


def _comparator(filter_text: str) -> str:
    return re.search(r"'((?:regexstring|binary|substring):(?:[^']|'')*)'", filter_text).group(1).replace("''", "'")


def test_string_equality_is_a_binary_comparison() -> None:
    assert condition_filter(parse_condition("area_number=D04")) == (
        "SingleColumnValueFilter('cf1', 'area_number', =, 'binary:D04', true, true)"
    )
    assert ", !=, 'binary:N'" in condition_filter(parse_condition("direct_light!=N"))
    assert ", >=, 'binary:D05'" in condition_filter(parse_condition("area_number>=D05"))


def test_in_lists_become_anchored_regex_alternations() -> None:
    text = condition_filter(parse_condition("steer_angle in L2,L3,R2,R3"))
    assert _comparator(text) == "regexstring:^(L2|L3|R2|R3)$"
    assert ", !=, 'regexstring:^(N)$'" in condition_filter(parse_condition("direct_light not in N"))


@pytest.mark.parametrize(
    ("condition", "inside", "outside"),
    [
        ("speed>100", ["101", "250", "1000", "0101"], ["100", "99", "9", "", "x"]),
        ("speed>=100", ["100", "250"], ["99", "10"]),
        ("speed<30", ["0", "29", "029"], ["30", "100", "300"]),
        ("speed<=30", ["30", "3"], ["31", "300"]),
        ("speed=0", ["0", "00"], ["10", "100"]),
        ("speed in 10,20", ["10", "20", "010"], ["1", "100", "200"]),
        ("speed!=5", ["0", "4", "6", "50", "050"], ["5", "05", "fast", ""]),
        ("speed not in 0,10", ["1", "9", "11", "100"], ["0", "00", "10", "010", "x"]),
    ],
)
def test_numeric_conditions_become_exact_regexes(condition: str, inside: list[str], outside: list[str]) -> None:
    regex = _comparator(condition_filter(parse_condition(condition))).removeprefix("regexstring:")
    for value in inside:
        assert re.search(regex, value), (regex, value)
    for value in outside:
        assert not re.search(regex, value), (regex, value)


def test_unsatisfiable_numeric_condition() -> None:
    with pytest.raises(Unsatisfiable):
        condition_filter(parse_condition("speed<0"))


def test_contains_uses_substring_comparator() -> None:
    assert _comparator(condition_filter(parse_condition("area_number~d0"))) == "substring:d0"


def test_quotes_are_doubled_and_regex_metacharacters_escaped() -> None:
    assert quote("it's") == "'it''s'"
    assert regex_escape("a.b|c") == "a\\.b\\|c"
    text = condition_filter(parse_condition("area_number in O'Neil,a.b"))
    assert _comparator(text) == "regexstring:^(O\\'Neil|a\\.b)$"


def test_conditions_combine_with_and() -> None:
    text = conditions_filter([parse_condition("speed>1"), parse_condition("area_number=D04")], "^[0-9]{14}-(A0001)$")
    assert text.startswith("(RowFilter(=, 'regexstring:^[0-9]{14}-(A0001)$')) AND (SingleColumnValueFilter(")
    assert text.count(" AND ") == 2
    assert conditions_filter([]) is None
