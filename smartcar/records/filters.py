"""Translate search conditions and row-key patterns into HBase filter-language strings.

Only filters and comparators every HBase (0.92+) Thrift gateway parses are used:
``SingleColumnValueFilter`` (with ``filterIfMissing`` and ``latestVersionOnly`` both true),
``RowFilter``, comparators ``binary``, ``regexstring`` and ``substring``, joined with ``AND``/``OR``.

HBase compares values as bytes. Strings compare exactly with ``binary``. The pilot stores integers
as unpadded decimal strings, where ``"99" > "100"`` byte-wise, so numeric conditions become a
``regexstring`` that matches exactly the decimal spellings in the wanted range (see
:mod:`.digitrange`). The caller still re-checks every returned row with
:meth:`Condition.matches`: the server filter only has to be a superset, so a gateway whose regex
semantics differ slightly (Java ``find()`` versus a full match) cannot make an answer wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from smartcar.core.driving_record import FAMILY
from smartcar.records.conditions import Condition, Op
from smartcar.records.digitrange import number_regex

_BINARY_OPS = {Op.EQ: "=", Op.NE: "!=", Op.GT: ">", Op.GE: ">=", Op.LT: "<", Op.LE: "<="}


class Unsatisfiable(Exception):
    """The conditions can match no row (e.g. ``speed<0``); a search can skip the server."""


def quote(text: str) -> str:
    """Filter-language string literal: single quotes, embedded quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def regex_escape(text: str) -> str:
    """Escape for both Java and Python regex: backslash before every non-alphanumeric character.

    ``re.escape`` would do for Python but escapes nothing Java cannot read either; spelled out so the
    rule is explicit (Java rejects backslash before a letter, so letters and digits stay bare).
    """
    return "".join(c if c.isalnum() and c.isascii() else "\\" + c for c in text)


def single_column(column: str, op: str, comparator: str) -> str:
    """``SingleColumnValueFilter('cf1', 'speed', =, 'regexstring:...', true, true)``."""
    return f"SingleColumnValueFilter({quote(FAMILY)}, {quote(column)}, {op}, {quote(comparator)}, true, true)"


def condition_filter(condition: Condition) -> str:
    """Server-side filter keeping (at least) the rows whose cell satisfies ``condition``."""
    col, op, values = condition.column, condition.op, condition.values
    if op is Op.CONTAINS:
        return single_column(col, "=", f"substring:{condition.value}")
    if condition.numeric:
        return _numeric_filter(condition)
    if op in _BINARY_OPS:
        return single_column(col, _BINARY_OPS[op], f"binary:{condition.value}")
    alternatives = "|".join(regex_escape(v) for v in values)
    return single_column(col, "=" if op is Op.IN else "!=", f"regexstring:^({alternatives})$")


def _numeric_filter(condition: Condition) -> str:
    """One positive regex over the integers that satisfy the condition, so the server is exact.

    ``!=`` and ``not in`` become the ranges between the excluded numbers rather than a negated
    match, which would also keep non-numeric values (they satisfy no numeric condition).
    """
    col, op = condition.column, condition.op
    numbers = sorted({int(v) for v in condition.values})
    ranges: list[tuple[int, int | None]]
    if op in (Op.EQ, Op.IN):
        ranges = [(n, n) for n in numbers]
    elif op in (Op.NE, Op.NOT_IN):
        bounds = [-1, *numbers]
        ranges = [(a + 1, b - 1) for a, b in itertools.pairwise(bounds)] + [(numbers[-1] + 1, None)]
    else:
        n = numbers[0]
        ranges = [{Op.GT: (n + 1, None), Op.GE: (n, None), Op.LT: (0, n - 1), Op.LE: (0, n)}[op]]
    regex = number_regex(*ranges)
    if regex is None:
        raise Unsatisfiable(f"no integer satisfies {condition}")
    return single_column(col, "=", f"regexstring:{regex}")


def row_regex_filter(regex: str) -> str:
    """``RowFilter(=, 'regexstring:...')`` keeping rows whose key matches ``regex``."""
    return f"RowFilter(=, {quote('regexstring:' + regex)})"


def combine(filters: Iterable[str]) -> str | None:
    """AND of the given filters (``None`` when there are none), each parenthesised."""
    parts = [f for f in filters if f]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({p})" for p in parts)


def conditions_filter(conditions: Iterable[Condition], row_regex: str | None = None) -> str | None:
    """The complete filter string for a scan: the row-key regex first (cheapest), then the columns."""
    parts = [row_regex_filter(row_regex)] if row_regex else []
    parts += [condition_filter(c) for c in conditions]
    return combine(parts)
