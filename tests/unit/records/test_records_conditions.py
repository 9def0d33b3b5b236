"""Parsing search conditions: every accepted form, every rejected one, and exact matching."""

from __future__ import annotations

import pytest

from smartcar.records.conditions import Condition, Op, parse_condition, parse_conditions
from smartcar.records.errors import ConditionError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("speed>100", Condition("speed", Op.GT, ("100",))),
        ("speed >= 0100", Condition("speed", Op.GE, ("100",))),
        ("speed<5", Condition("speed", Op.LT, ("5",))),
        ("speed_pedal<=2", Condition("speed_pedal", Op.LE, ("2",))),
        ("break_pedal!=0", Condition("break_pedal", Op.NE, ("0",))),
        ("break_pedal<>0", Condition("break_pedal", Op.NE, ("0",))),
        ("area_number=D04", Condition("area_number", Op.EQ, ("D04",))),
        ("area_number == 'D04'", Condition("area_number", Op.EQ, ("D04",))),
        ("steer_angle in L2,L3,R2,R3", Condition("steer_angle", Op.IN, ("L2", "L3", "R2", "R3"))),
        ("steer_angle IN L2, L3", Condition("steer_angle", Op.IN, ("L2", "L3"))),
        ("direct_light not in N", Condition("direct_light", Op.NOT_IN, ("N",))),
        ("speed in 10,020", Condition("speed", Op.IN, ("10", "20"))),
        ("area_number~d0", Condition("area_number", Op.CONTAINS, ("d0",))),
        ("date>=20200322100000", Condition("date", Op.GE, ("20200322100000",))),
    ],
)
def test_parse_accepts(text: str, expected: Condition) -> None:
    assert parse_condition(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sped>100", "unknown column 'sped' (did you mean 'speed'?)"),
        ("colour=red", "unknown column 'colour'"),
        ("speed", "malformed condition"),
        ("speed>>100", "is not a non-negative integer"),
        ("speed=>100", "is not a non-negative integer"),
        ("speed>fast", "speed holds integers"),
        ("speed>-5", "is not a non-negative integer"),
        ("speed>", "empty value"),
        ("steer_angle in L1,,L2", "empty value"),
        ("100<speed", "malformed condition"),
        ("", "malformed condition"),
    ],
)
def test_parse_rejects_with_clear_message(text: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_condition(text)


def test_numeric_conditions_compare_numbers_not_strings() -> None:
    over = parse_condition("speed>100")
    assert over.matches("250") and over.matches(b"101") and over.matches("0101")
    assert not over.matches("99") and not over.matches("100") and not over.matches("9")
    # Byte-wise, "99" > "100": the whole point of not using a binary comparator.
    assert "99" > "100"


def test_non_numbers_and_missing_cells_satisfy_no_numeric_condition() -> None:
    for text in ("speed>1", "speed<1000", "speed!=5", "speed not in 1,2"):
        cond = parse_condition(text)
        assert not cond.matches("fast")
        assert not cond.matches("")
        assert not cond.matches(None)


def test_string_conditions() -> None:
    assert parse_condition("steer_angle in L2,L3").matches("L3")
    assert not parse_condition("steer_angle in L2,L3").matches("L1")
    assert parse_condition("direct_light not in N").matches("L")
    assert not parse_condition("direct_light not in N").matches("N")
    assert parse_condition("area_number~d0").matches("D04")  # case-insensitive, like HBase SubstringComparator
    assert parse_condition("area_number>D0").matches("D04")
    assert not parse_condition("area_number!=D04").matches("D04")
    assert not parse_condition("area_number!=D04").matches(None)


def test_parse_conditions_keeps_order() -> None:
    assert [str(c) for c in parse_conditions(["speed>1", "steer_angle in F,L1"])] == ["speed>1", "steer_angle in F,L1"]
