"""HBase's filter language (the ``filterString`` of a Thrift scan), parsed and evaluated in Python.

Hand-written because no Python library implements HBase's filter language: its grammar and the
semantics of each filter live only in HBase's Java ``ParseFilter`` and filter classes. This module
follows them: ``SKIP``/``WHILE`` bind tighter than ``AND``, which binds tighter than ``OR``;
quoted arguments use ``''`` for a quote; comparators are ``binary:``, ``binaryprefix:``,
``regexstring:`` (Java ``find()`` semantics on ISO-8859-1 text) and ``substring:``
(case-insensitive), the last two only with ``=`` and ``!=``.

A filter sees every version inside the scan's time range, in HBase cell order, before the
version limit is applied (HBase's ScanQueryMatcher does filter, then version counting). Anything
not implemented here raises :class:`FilterError` naming it, so a filter is never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from smartcar.hbase.storage import Cell, InvalidArgument


class FilterError(InvalidArgument):
    """A filter string HBase's ParseFilter would reject (IllegalArgumentException)."""


# ----------------------------------------------------------------------------- comparators
Comparator = Callable[[bytes], int]
"""``compareTo(cell_bytes)`` of an HBase ByteArrayComparable: <0, 0 or >0."""


def _cmp(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def make_comparator(spec: bytes) -> tuple[str, Comparator]:
    kind, sep, operand = spec.partition(b":")
    if not sep:
        raise FilterError(f"Incorrect comparator {spec.decode('latin-1')!r}: expected type:value")
    name = kind.decode("latin-1")
    if name == "binary":
        return name, lambda value: _cmp(operand, value)
    if name == "binaryprefix":
        n = len(operand)
        return name, lambda value: _cmp(operand, value[:n])
    if name == "regexstring":
        try:
            pattern = re.compile(operand.decode("latin-1"), re.DOTALL)
        except re.error as exc:
            raise FilterError(f"Invalid regexstring {operand!r}: {exc}") from None
        return name, lambda value: 0 if pattern.search(value.decode("latin-1")) else 1
    if name == "substring":
        needle = operand.decode("utf-8", "replace").lower()
        return name, lambda value: 0 if needle in value.decode("utf-8", "replace").lower() else 1
    raise FilterError(f"Incorrect comparator type: {name}")


_OPS: dict[bytes, Callable[[int], bool]] = {
    # True means "keep"; argument is comparator.compareTo(cell), as in CompareFilter.compare
    b"<": lambda c: c > 0,
    b"<=": lambda c: c >= 0,
    b"=": lambda c: c == 0,
    b"!=": lambda c: c != 0,
    b">=": lambda c: c <= 0,
    b">": lambda c: c < 0,
}


def make_test(op: bytes, spec: bytes) -> Callable[[bytes], bool]:
    keep = _OPS[op]
    kind, comparator = make_comparator(spec)
    if kind in ("regexstring", "substring") and op not in (b"=", b"!="):
        raise FilterError("A regexstring comparator and substring comparator can only be used with EQUAL and NOT_EQUAL")
    return lambda value: keep(comparator(value))


# ----------------------------------------------------------------------------- filters
class Filter:
    """Evaluates one row: ``apply`` returns the cells to keep (empty drops the row)."""

    exhausted = False
    """Set when no later row can pass (the scan stops, HBase's filterAllRemaining)."""

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        raise NotImplementedError


class RowPredicate(Filter):
    def __init__(self, test: Callable[[bytes], bool]) -> None:
        self.test = test

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        return cells if self.test(row) else []


class PrefixFilter(Filter):
    def __init__(self, prefix: bytes, reverse: bool) -> None:
        self.prefix, self.reverse = prefix, reverse

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        if row.startswith(self.prefix):
            return cells
        head = row[: len(self.prefix)]
        if (head > self.prefix) != self.reverse:
            self.exhausted = True
        return []


class InclusiveStopFilter(Filter):
    def __init__(self, stop: bytes, reverse: bool) -> None:
        self.stop, self.reverse = stop, reverse

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        past = row < self.stop if self.reverse else row > self.stop
        if past:
            self.exhausted = True
            return []
        return cells


class CellPredicate(Filter):
    def __init__(self, test: Callable[[Cell], bool]) -> None:
        self.test = test

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        return [c for c in cells if self.test(c)]


class FirstKeyOnlyFilter(Filter):
    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        return cells[:1]


class KeyOnlyFilter(Filter):
    def __init__(self, len_as_value: bool = False) -> None:
        self.len_as_value = len_as_value

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        if self.len_as_value:
            return [(c, ts, len(v).to_bytes(4, "big")) for c, ts, v in cells]
        return [(c, ts, b"") for c, ts, _ in cells]


class PageFilter(Filter):
    def __init__(self, size: int) -> None:
        if size < 0:
            raise FilterError("PageFilter: page size must be >= 0")
        self.size, self.seen = size, 0
        self.exhausted = size == 0

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        if not cells or self.seen >= self.size:
            return []
        self.seen += 1
        if self.seen >= self.size:
            self.exhausted = True
        return cells


class ColumnWindow(Filter):
    """ColumnPaginationFilter / ColumnCountGetFilter: a window over the distinct columns of a row."""

    def __init__(self, limit: int, offset: int, newest_only: bool, stop_when_over: bool) -> None:
        self.limit, self.offset = limit, offset
        self.newest_only, self.stop_when_over = newest_only, stop_when_over

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        out: list[Cell] = []
        index, last = -1, None
        for cell in cells:
            if cell[0] != last:
                last = cell[0]
                index += 1
            elif self.newest_only:
                continue
            if self.offset <= index < self.offset + self.limit:
                out.append(cell)
        if self.stop_when_over and index + 1 > self.limit:
            self.exhausted = True
        return out


class SingleColumnValueFilter(Filter):
    def __init__(
        self,
        column: bytes,
        test: Callable[[bytes], bool],
        if_missing: bool,
        latest_only: bool,
        exclude: bool,
    ) -> None:
        self.column, self.test = column, test
        self.if_missing, self.latest_only, self.exclude = if_missing, latest_only, exclude

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        found = matched = False
        for col, _, value in cells:
            if col != self.column:
                continue
            if found and self.latest_only:
                break
            found = True
            if self.test(value):
                matched = True
                break
        keep = matched if found else not self.if_missing
        if not keep:
            return []
        if self.exclude:
            return [c for c in cells if c[0] != self.column]
        return cells


class And(Filter):
    def __init__(self, parts: list[Filter]) -> None:
        self.parts = parts

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        for part in self.parts:
            cells = part.apply(row, cells)
            if part.exhausted:
                self.exhausted = True
            if not cells:
                return []
        return cells

    @property  # type: ignore[override]
    def exhausted(self) -> bool:
        return any(p.exhausted for p in self.parts)

    @exhausted.setter
    def exhausted(self, value: bool) -> None:
        pass


class Or(Filter):
    def __init__(self, parts: list[Filter]) -> None:
        self.parts = parts

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        kept: dict[tuple[bytes, int], Cell] = {}
        for part in self.parts:
            if part.exhausted:
                continue
            for cell in part.apply(row, list(cells)):
                kept.setdefault((cell[0], cell[1]), cell)
        if not kept:
            return []
        return [kept[(c[0], c[1])] for c in cells if (c[0], c[1]) in kept]

    @property  # type: ignore[override]
    def exhausted(self) -> bool:
        return all(p.exhausted for p in self.parts)

    @exhausted.setter
    def exhausted(self, value: bool) -> None:
        pass


class Skip(Filter):
    """``SKIP f``: drop the whole row if ``f`` would drop any of its cells."""

    def __init__(self, inner: Filter) -> None:
        self.inner = inner

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        kept = self.inner.apply(row, cells)
        return cells if len(kept) == len(cells) else []


class While(Filter):
    """``WHILE f``: end the scan at the first row where ``f`` drops a cell."""

    def __init__(self, inner: Filter) -> None:
        self.inner = inner

    def apply(self, row: bytes, cells: list[Cell]) -> list[Cell]:
        kept = self.inner.apply(row, cells)
        if len(kept) != len(cells) or self.inner.exhausted:
            self.exhausted = True
            return []
        return cells


# ----------------------------------------------------------------------------- parser
@dataclass
class _Tok:
    kind: str  # "str", "word", "op", "(", ")", ","
    value: bytes


_WORD = re.compile(rb"[A-Za-z0-9_.+-]+")


def _tokenize(text: bytes) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i : i + 1]
        if ch in b" \t\r\n":
            i += 1
        elif ch in b"(),":
            toks.append(_Tok(ch.decode(), ch))
            i += 1
        elif ch == b"'":
            out = bytearray()
            i += 1
            while True:
                j = text.find(b"'", i)
                if j < 0:
                    raise FilterError("Unterminated quoted argument in filter string")
                out += text[i:j]
                if text[j + 1 : j + 2] == b"'":
                    out += b"'"
                    i = j + 2
                else:
                    i = j + 1
                    break
            toks.append(_Tok("str", bytes(out)))
        elif ch in b"<>=!":
            two = text[i : i + 2]
            if two in (b"<=", b">=", b"!="):
                toks.append(_Tok("op", two))
                i += 2
            elif ch == b"!":
                raise FilterError("Invalid operator '!' in filter string")
            else:
                toks.append(_Tok("op", ch))
                i += 1
        else:
            m = _WORD.match(text, i)
            if not m:
                raise FilterError(f"Unexpected character {ch!r} in filter string")
            toks.append(_Tok("word", m.group()))
            i = m.end()
    return toks


class _Parser:
    def __init__(self, text: bytes, reverse: bool) -> None:
        self.toks = _tokenize(text)
        self.pos = 0
        self.reverse = reverse

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (kind is not None and tok.kind != kind):
            got = "end of string" if tok is None else repr(tok.value.decode("latin-1"))
            raise FilterError(f"Malformed filter string: expected {kind or 'more input'}, got {got}")
        self.pos += 1
        return tok

    def keyword(self, word: bytes) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "word" and tok.value.upper() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Filter:
        result = self.expr()
        if self.peek() is not None:
            raise FilterError(f"Malformed filter string: unexpected {self.peek().value!r}")  # type: ignore[union-attr]
        return result

    def expr(self) -> Filter:
        parts = [self.term()]
        while self.keyword(b"OR"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Or(parts)

    def term(self) -> Filter:
        parts = [self.unary()]
        while self.keyword(b"AND"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(parts)

    def unary(self) -> Filter:
        if self.keyword(b"SKIP"):
            return Skip(self.unary())
        if self.keyword(b"WHILE"):
            return While(self.unary())
        tok = self.peek()
        if tok is not None and tok.kind == "(":
            self.take("(")
            inner = self.expr()
            self.take(")")
            return inner
        return self.simple()

    def simple(self) -> Filter:
        name = self.take("word").value.decode("latin-1")
        self.take("(")
        args: list[_Tok] = []
        if self.peek() is not None and self.peek().kind != ")":  # type: ignore[union-attr]
            args.append(self.take())
            while self.peek() is not None and self.peek().kind == ",":  # type: ignore[union-attr]
                self.take(",")
                args.append(self.take())
        self.take(")")
        builder = _BUILDERS.get(name)
        if builder is None:
            raise FilterError(f"Filter Name {name} not supported")
        return builder(_Args(name, args), self.reverse)


class _Args:
    def __init__(self, name: str, toks: list[_Tok]) -> None:
        self.name, self.toks = name, toks

    def count(self, *allowed: int) -> None:
        if len(self.toks) not in allowed:
            raise FilterError(f"{self.name} expects {' or '.join(map(str, allowed))} arguments, got {len(self.toks)}")

    def string(self, i: int) -> bytes:
        tok = self.toks[i]
        if tok.kind != "str":
            raise FilterError(f"{self.name}: argument {i + 1} must be a quoted string")
        return tok.value

    def op(self, i: int) -> bytes:
        tok = self.toks[i]
        if tok.kind != "op":
            raise FilterError(f"{self.name}: argument {i + 1} must be a comparison operator")
        return tok.value

    def integer(self, i: int) -> int:
        tok = self.toks[i]
        try:
            return int(tok.value)
        except ValueError:
            raise FilterError(f"{self.name}: argument {i + 1} must be an integer") from None

    def boolean(self, i: int) -> bool:
        value = self.toks[i].value.lower()
        if value not in (b"true", b"false"):
            raise FilterError(f"{self.name}: argument {i + 1} must be true or false")
        return value == b"true"


def _compare(part: Callable[[Cell], bytes]) -> Callable[[_Args, bool], Filter]:
    def build(a: _Args, reverse: bool) -> Filter:
        a.count(2)
        test = make_test(a.op(0), a.string(1))
        return CellPredicate(lambda cell: test(part(cell)))

    return build


def _row_filter(a: _Args, reverse: bool) -> Filter:
    a.count(2)
    return RowPredicate(make_test(a.op(0), a.string(1)))


def _scvf(exclude: bool) -> Callable[[_Args, bool], Filter]:
    def build(a: _Args, reverse: bool) -> Filter:
        a.count(4, 6)
        column = a.string(0) + b":" + a.string(1)
        test = make_test(a.op(2), a.string(3))
        if_missing = a.boolean(4) if len(a.toks) == 6 else False
        latest = a.boolean(5) if len(a.toks) == 6 else True
        return SingleColumnValueFilter(column, test, if_missing, latest, exclude)

    return build


def _qualifier(cell: Cell) -> bytes:
    return cell[0].partition(b":")[2]


def _column_range(a: _Args, reverse: bool) -> Filter:
    a.count(4)
    low, low_inc, high, high_inc = a.string(0), a.boolean(1), a.string(2), a.boolean(3)

    def test(cell: Cell) -> bool:
        q = _qualifier(cell)
        if low and (q < low or (q == low and not low_inc)):
            return False
        return not (high and (q > high or (q == high and not high_inc)))

    return CellPredicate(test)


def _multi_prefix(a: _Args, reverse: bool) -> Filter:
    prefixes = tuple(a.string(i) for i in range(len(a.toks)))
    return CellPredicate(lambda cell: _qualifier(cell).startswith(prefixes))


def _timestamps(a: _Args, reverse: bool) -> Filter:
    wanted = frozenset(a.integer(i) for i in range(len(a.toks)))
    return CellPredicate(lambda cell: cell[1] in wanted)


def _no_args(factory: Callable[[], Filter]) -> Callable[[_Args, bool], Filter]:
    def build(a: _Args, reverse: bool) -> Filter:
        a.count(0)
        return factory()

    return build


def _key_only(a: _Args, reverse: bool) -> Filter:
    a.count(0, 1)
    return KeyOnlyFilter(a.boolean(0) if a.toks else False)


def _one_string(factory: Callable[[bytes, bool], Filter]) -> Callable[[_Args, bool], Filter]:
    def build(a: _Args, reverse: bool) -> Filter:
        a.count(1)
        return factory(a.string(0), reverse)

    return build


def _column_prefix(prefix: bytes, reverse: bool) -> Filter:
    return CellPredicate(lambda cell: _qualifier(cell).startswith(prefix))


def _page(a: _Args, reverse: bool) -> Filter:
    a.count(1)
    return PageFilter(a.integer(0))


def _pagination(a: _Args, reverse: bool) -> Filter:
    a.count(2)
    return ColumnWindow(a.integer(0), a.integer(1), newest_only=True, stop_when_over=False)


def _count_get(a: _Args, reverse: bool) -> Filter:
    a.count(1)
    return ColumnWindow(a.integer(0), 0, newest_only=True, stop_when_over=True)


_BUILDERS: dict[str, Callable[[_Args, bool], Filter]] = {
    "KeyOnlyFilter": _key_only,
    "FirstKeyOnlyFilter": _no_args(FirstKeyOnlyFilter),
    "PrefixFilter": _one_string(PrefixFilter),
    "ColumnPrefixFilter": _one_string(_column_prefix),
    "MultipleColumnPrefixFilter": _multi_prefix,
    "InclusiveStopFilter": _one_string(InclusiveStopFilter),
    "PageFilter": _page,
    "ColumnPaginationFilter": _pagination,
    "ColumnCountGetFilter": _count_get,
    "ColumnRangeFilter": _column_range,
    "TimestampsFilter": _timestamps,
    "RowFilter": _row_filter,
    "FamilyFilter": _compare(lambda cell: cell[0].partition(b":")[0]),
    "QualifierFilter": _compare(_qualifier),
    "ValueFilter": _compare(lambda cell: cell[2]),
    "SingleColumnValueFilter": _scvf(exclude=False),
    "SingleColumnValueExcludeFilter": _scvf(exclude=True),
}
SUPPORTED_FILTERS: tuple[str, ...] = tuple(sorted(_BUILDERS))


def parse_filter(text: bytes | str, reverse: bool = False) -> Filter:
    """Parse a filter string into a fresh, stateful :class:`Filter` for one scan."""
    raw = text.encode() if isinstance(text, str) else text
    if not raw.strip():
        raise FilterError("Empty filter string")
    return _Parser(raw, reverse).parse()
