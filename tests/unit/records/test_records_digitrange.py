"""Digit-range regexes must match exactly the numbers/strings in range (checked exhaustively)."""

from __future__ import annotations

import random
import re

import pytest

from smartcar.records.digitrange import number_regex, range_patterns, render


@pytest.mark.parametrize("width", [1, 2, 3])
def test_range_patterns_exhaustive_for_small_widths(width: int) -> None:
    rnd = random.Random(width)
    universe = [str(x).zfill(width) for x in range(10**width)]
    for _ in range(150):
        a, b = sorted(rnd.sample(universe, 2)) if width > 1 else sorted(rnd.choices(universe, k=2))
        regex = re.compile(f"^({render(range_patterns(a, b))})$")
        assert [s for s in universe if regex.match(s)] == [s for s in universe if a <= s <= b]


def test_range_patterns_stay_small_for_timestamps() -> None:
    patterns = range_patterns("20200322103017", "20200322234501")
    assert len(patterns) <= 2 * 14
    assert render(patterns).startswith("2020032210301[7-9]|")


def test_empty_and_invalid_ranges() -> None:
    assert range_patterns("5", "4") == []
    with pytest.raises(ValueError):
        range_patterns("12", "3")
    with pytest.raises(ValueError):
        range_patterns("1a", "20")


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, None), (101, None), (0, 99), (5, 5), (99, 100), (1, 250), (250, None), (9, 10), (0, 0), (1000, None)],
)
def test_number_regex_matches_exactly_the_integers_in_range(low: int, high: int | None) -> None:
    regex = number_regex((low, high))
    assert regex is not None
    compiled = re.compile(regex)
    for x in range(0, 3000):
        expected = low <= x and (high is None or x <= high)
        for spelling in (str(x), "0" + str(x), "000" + str(x)):
            # search() is Java's find(): the anchors make it equal to a full match.
            assert bool(compiled.search(spelling)) is expected, (regex, spelling)
    for junk in ("", "abc", "-5", "1.5", " 12", "12 ", "+3"):
        assert not compiled.search(junk), (regex, junk)


def test_number_regex_empty_range() -> None:
    assert number_regex((5, 4)) is None
    assert number_regex((-1, 3)) is None
    assert number_regex() is None


def test_number_regex_union_of_ranges() -> None:
    compiled = re.compile(number_regex((0, 4), (6, 9), (11, None)) or "")
    assert [x for x in range(200) if compiled.search(str(x))] == [x for x in range(200) if x not in (5, 10)]
