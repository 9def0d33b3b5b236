"""Search conditions on DriverCarInfo columns: ``speed>100``, ``steer_angle in L2,L3``, ``area_number=D04``.

A condition is parsed once into a :class:`Condition`, which knows how to test a stored cell value
exactly (:meth:`Condition.matches`). The HBase filter built from it (see :mod:`.filters`) only has to
keep a superset of the matching rows; the exact test runs on what the server returns, so results are
right even where byte-wise HBase comparison cannot express the condition exactly.

Semantics (documented for users in ``smartcar records search --help``):

- ``speed``, ``speed_pedal`` and ``break_pedal`` hold integers written as decimal strings; conditions on
  them compare numbers (``speed>100`` is true for ``"250"``, false for ``"99"``). A stored value that is
  not a decimal integer satisfies no numeric comparison, not even ``!=`` (like SQL's NULL).
- Every other column compares UTF-8 strings byte by byte, as HBase does.
- ``~`` is "contains, ignoring case", HBase's SubstringComparator.
- A row without the column satisfies no condition on it (HBase's ``filterIfMissing``).
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass

from smartcar.core.driving_record import NUMERIC_FIELDS, QUALIFIERS
from smartcar.records.errors import ConditionError


class Op(enum.StrEnum):
    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    IN = "in"
    NOT_IN = "not in"
    CONTAINS = "~"


_SYMBOLS = {"==": Op.EQ, "=": Op.EQ, "!=": Op.NE, "<>": Op.NE, ">": Op.GT, ">=": Op.GE, "<": Op.LT, "<=": Op.LE}
_SYMBOLS["~"] = Op.CONTAINS
_CONDITION = re.compile(
    r"""^\s*(?P<column>[A-Za-z_][A-Za-z0-9_]*)\s*
        (?:(?P<symbol>==|!=|<>|>=|<=|=|>|<|~)|\s(?P<word>not\s+in|in)\s)
        \s*(?P<value>.*?)\s*$""",
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
_INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Condition:
    """One ``column OP value(s)`` test; build with :func:`parse_condition`."""

    column: str
    op: Op
    values: tuple[str, ...]

    @property
    def numeric(self) -> bool:
        return self.column in NUMERIC_FIELDS and self.op is not Op.CONTAINS

    @property
    def value(self) -> str:
        return self.values[0]

    def __str__(self) -> str:
        if self.op in (Op.IN, Op.NOT_IN):
            return f"{self.column} {self.op} {','.join(self.values)}"
        return f"{self.column}{self.op}{self.value}"

    def matches(self, cell: str | bytes | None) -> bool:
        """Exact test of one stored cell value (``None`` = the row has no such column)."""
        if cell is None:
            return False
        text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else cell
        if self.op is Op.CONTAINS:
            return self.value.lower() in text.lower()
        if self.numeric:
            if not _INTEGER.fullmatch(text):
                return False
            return _compare(int(text), self.op, [int(v) for v in self.values])
        return _compare(text, self.op, list(self.values))


def _compare(left: object, op: Op, right: list) -> bool:  # type: ignore[type-arg]
    match op:
        case Op.EQ:
            return left == right[0]
        case Op.NE:
            return left != right[0]
        case Op.GT:
            return left > right[0]  # type: ignore[operator]
        case Op.GE:
            return left >= right[0]  # type: ignore[operator]
        case Op.LT:
            return left < right[0]  # type: ignore[operator]
        case Op.LE:
            return left <= right[0]  # type: ignore[operator]
        case Op.IN:
            return left in right
        case Op.NOT_IN:
            return left not in right
    raise AssertionError(op)


def check_column(column: str, error: type[Exception] = ConditionError) -> str:
    """Return ``column`` if DriverCarInfo has it, else raise ``error`` naming the columns."""
    if column in QUALIFIERS:
        return column
    hint = difflib.get_close_matches(column, QUALIFIERS, n=1)
    did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise error(f"unknown column {column!r}{did_you_mean}; columns are: {', '.join(QUALIFIERS)}")


def parse_condition(text: str) -> Condition:
    """``"speed>100"`` -> ``Condition("speed", Op.GT, ("100",))``; raises :class:`ConditionError`."""
    match = _CONDITION.match(text)
    if not match:
        raise ConditionError(
            f"malformed condition {text!r}: expected COLUMN OP VALUE with OP one of "
            "=, !=, >, >=, <, <=, ~, in, not in (e.g. 'speed>100', 'steer_angle in L2,L3')"
        )
    column = check_column(match["column"])
    op = _SYMBOLS[match["symbol"]] if match["symbol"] else Op(" ".join(match["word"].lower().split()))
    raw = match["value"]
    listed = op in (Op.IN, Op.NOT_IN)
    values = tuple(_unquote(v.strip()) for v in raw.split(",")) if listed else (_unquote(raw),)
    if any(v == "" for v in values):
        raise ConditionError(f"malformed condition {text!r}: empty value")
    if column in NUMERIC_FIELDS and op is not Op.CONTAINS:
        bad = [v for v in values if not _INTEGER.fullmatch(v)]
        if bad:
            raise ConditionError(f"{column} holds integers: {bad[0]!r} in {text!r} is not a non-negative integer")
        values = tuple(str(int(v)) for v in values)
    return Condition(column, op, values)


def parse_conditions(texts: list[str] | tuple[str, ...]) -> list[Condition]:
    """Parse every condition (they combine with AND)."""
    return [parse_condition(t) for t in texts]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
