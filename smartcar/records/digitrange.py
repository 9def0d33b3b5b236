"""Regular expressions for ranges of fixed-width digit strings.

HBase compares cell values and row keys as bytes, so "speed > 100" or "timestamp between
10:00 and 10:59" cannot be a binary comparison on the unpadded, or reversed, strings the pilot
stores. A regular expression can: a range of equal-width digit strings is a union of at most
about 2 x width patterns made of literal digits and digit classes (the classic range-to-regex
construction). Patterns are kept as token lists so the row-key code can reverse them (the key
stores the timestamp reversed) and read off literal prefixes to narrow a scan.

Hand-written because it is ~60 lines and the token form (reversible, prefix-readable) is what the
callers need; regex-generation libraries only emit finished strings.
"""

from __future__ import annotations

from collections.abc import Sequence

Token = tuple[str, str]
"""One character position: the inclusive digit range ``(low, high)``; ``low == high`` is a literal."""

Pattern = tuple[Token, ...]

ANY_DIGIT: Token = ("0", "9")


def range_patterns(low: str, high: str) -> list[Pattern]:
    """Patterns whose union matches exactly the digit strings ``s`` of ``len(low)`` with ``low <= s <= high``.

    >>> render(range_patterns("095", "102"))
    '09[5-9]|10[0-2]'
    """
    if len(low) != len(high) or (low and not (low + high).isdigit()):
        raise ValueError(f"bounds must be digit strings of equal width: {low!r}, {high!r}")
    if low > high:
        return []
    return _patterns(low, high)


def _patterns(low: str, high: str) -> list[Pattern]:
    if low == high:
        return [tuple((c, c) for c in low)]
    i = next(k for k, (a, b) in enumerate(zip(low, high, strict=True)) if a != b)
    prefix: Pattern = tuple((c, c) for c in low[:i])
    rest_low, rest_high = low[i + 1 :], high[i + 1 :]
    width = len(rest_low)
    any_rest: Pattern = (ANY_DIGIT,) * width
    lo_digit, hi_digit = low[i], high[i]
    out: list[Pattern] = []
    # Lower edge: low[i] followed by anything >= rest_low (merged into the middle when rest_low is all zeros).
    mid_lo = lo_digit if set(rest_low) <= {"0"} else chr(ord(lo_digit) + 1)
    mid_hi = hi_digit if set(rest_high) <= {"9"} else chr(ord(hi_digit) - 1)
    if mid_lo != lo_digit:
        out += [(*prefix, (lo_digit, lo_digit), *p) for p in _patterns(rest_low, "9" * width)]
    if mid_lo <= mid_hi:
        out.append((*prefix, (mid_lo, mid_hi), *any_rest))
    if mid_hi != hi_digit:
        out += [(*prefix, (hi_digit, hi_digit), *p) for p in _patterns("0" * width, rest_high)]
    return out


def render_pattern(pattern: Sequence[Token]) -> str:
    """Token list -> regex text using only ``[a-b]``, literal digits and ``{n}`` (portable Java/Python syntax)."""
    parts: list[str] = []
    for token in pattern:
        low, high = token
        text = low if low == high else f"[{low}-{high}]"
        if parts and parts[-1][0] == text and low != high:
            parts[-1] = (text, parts[-1][1] + 1)
        else:
            parts.append((text, 1))
    return "".join(t if n == 1 else f"{t}{{{n}}}" for t, n in parts)


def render(patterns: Sequence[Sequence[Token]]) -> str:
    """Alternation of several patterns (no anchors, no group)."""
    return "|".join(render_pattern(p) for p in patterns)


def number_alternatives(low: int, high: int | None) -> list[str]:
    """Regex alternatives for the canonical decimal spellings (no sign, no leading zeros) of ``low..high``.

    ``high=None`` means unbounded: the tail is "more digits than ``low`` has", ``[1-9][0-9]{w,}``.
    """
    if low < 0 or (high is not None and high < low):
        return []
    out: list[str] = []
    width = len(str(low))
    top_width = len(str(high)) if high is not None else width
    for w in range(width, top_width + 1):
        lo = max(low, 0 if w == 1 else 10 ** (w - 1))
        hi = 10**w - 1 if high is None else min(high, 10**w - 1)
        if lo <= hi:
            out += [render_pattern(p) for p in range_patterns(str(lo), str(hi))]
    if high is None:
        out.append(f"[1-9][0-9]{{{width},}}")
    return out


def number_regex(*ranges: tuple[int, int | None]) -> str | None:
    """Anchored regex matching decimal strings (leading zeros allowed) whose value lies in any range.

    Each range is inclusive ``(low, high)``, ``high=None`` unbounded; None when all are empty.
    Example: ``number_regex((101, None))`` ->
    ``^0*(10[1-9]|1[1-9][0-9]|[2-9][0-9]{2}|[1-9][0-9]{3,})$``.
    """
    alts = [alt for low, high in ranges for alt in number_alternatives(low, high)]
    if not alts:
        return None
    return "^0*(" + "|".join(alts) + ")$"
