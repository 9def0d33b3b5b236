"""Car master and item buy list against docs/data-formats.md#car-master / #item-buy-list and the reference files."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from simulator.buylist import buylist_lines, write_buylist
from simulator.cars import LETTERS, SimulatorError, fleet
from simulator.master import CAPACITIES, JOBS, REGIONS, master_lines, master_rows, parse_master_line, write_master

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference-data"
if not REFERENCE.exists():  # the repo may be checked out elsewhere
    REFERENCE = Path("/work/shared/reference-data")
MASTER_LINE = re.compile(
    r"^[A-Z]\d{4}\|(남|여)\|(1[5-9]|[2-6]\d|70)\|(기혼|미혼)\|(" + "|".join(REGIONS) + r")\|[가-힣]+\|"
    r"(1000|1200|1500|1700|2000|2500|3000|3500)\|(20(0\d|1[0-6]))\|[A-H]$"
)
BUY_LINE = re.compile(r"^[A-Z](00\d[1-9]|00[1-9]0|0100),Item-0([0-2]\d|30),[1-5],(\d{6})$")


def test_master_layout_matches_the_reference_file(tmp_path: Path) -> None:
    path = write_master(tmp_path, seed=3, final_name="CarMaster.txt")
    data = path.read_bytes()
    reference = (REFERENCE / "CarMaster.txt").read_bytes()
    assert data.endswith(b"\n") and b"\r" not in data and reference.endswith(b"\n") and b"\r" not in reference
    ours, theirs = data.decode("utf-8").splitlines(), reference.decode("utf-8").splitlines()
    assert len(ours) == len(theirs) == 2600
    assert [line[:5] for line in ours] == [line[:5] for line in theirs]  # A0001..A0100, B0001, ... Z0100
    for line in ours + theirs:  # one format accepts both
        assert MASTER_LINE.match(line), line
        assert len(parse_master_line(line)) == 9
    assert {parse_master_line(line)[5] for line in ours} == set(JOBS["shipped"])
    assert {parse_master_line(line)[5] for line in theirs} == set(JOBS["shipped"])


def test_master_values_are_uniform() -> None:
    rows = list(master_rows(seed=1))
    n = len(rows)
    for column, values in ((1, ("남", "여")), (3, ("기혼", "미혼")), (6, tuple(map(str, CAPACITIES)))):
        counts = Counter(r[column] for r in rows)
        assert set(counts) == set(values)
        assert all(abs(c - n / len(values)) < 0.2 * n / len(values) for c in counts.values())
    ages = Counter(int(r[2]) for r in rows)
    assert set(ages) == set(range(15, 71))
    assert 100 < sum(ages[a] for a in (15, 16, 17)) < 200  # the over-18 filter drops ~150 rows (shipped: 151)
    assert {r[8] for r in rows} == set("ABCDEFGH")
    assert set(Counter(r[4] for r in rows)) == set(REGIONS)


def test_master_generator_job_list_and_larger_fleets() -> None:
    assert {r[5] for r in master_rows(jobs="generator")} == set(JOBS["generator"])
    big = list(master_lines(seed=2, cars=150))
    assert len(big) == 26 * 150
    assert set(fleet(2, 150).numbers) <= {line[:5] for line in big}
    # a row's values do not depend on the population size
    small = {line[:5]: line for line in master_lines(seed=2)}
    assert all(small[line[:5]] == line for line in big if line[:5] in small)
    with pytest.raises(SimulatorError):
        list(master_rows(jobs="nope"))


def test_master_is_deterministic_per_seed() -> None:
    assert list(master_lines(seed=5)) == list(master_lines(seed=5))
    assert list(master_lines(seed=5)) != list(master_lines(seed=6))


def test_every_fleet_car_joins_to_the_master() -> None:
    master_numbers = {line[:5] for line in master_lines(seed=9)}
    assert set(fleet(9, 100).numbers) <= master_numbers
    assert len(master_numbers) == 2600


def test_buylist_matches_the_reference_format(tmp_path: Path) -> None:
    path = write_buylist(tmp_path, "202003", seed=0)
    assert re.fullmatch(r"CarItemBuyList_202003_[\dT]+-[0-9a-f]{8}\.txt", path.name)
    ours = path.read_text("utf-8").splitlines()
    theirs = (REFERENCE / "CarItemBuyList_202003.txt").read_text("utf-8").splitlines()
    assert len(ours) == len(theirs) == 100_000
    for line in ours[:5000] + theirs[:5000]:
        assert BUY_LINE.match(line), line
    assert all(line.endswith(",202003") for line in ours)
    master_numbers = {line[:5] for line in master_lines()}
    assert {line[:5] for line in ours} <= master_numbers


def test_buylist_values_are_uniform() -> None:
    lines = list(buylist_lines("2021-09", seed=4, rows=60_000))
    fields = [line.split(",") for line in lines]
    assert {f[3] for f in fields} == {"202109"}
    items = Counter(f[1] for f in fields)
    scores = Counter(f[2] for f in fields)
    letters = Counter(f[0][0] for f in fields)
    assert len(items) == 30 and all(abs(c - 2000) < 200 for c in items.values())
    assert set(scores) == set("12345") and all(abs(c - 12_000) < 600 for c in scores.values())
    assert set(letters) == set(LETTERS)
    indices = Counter(int(f[0][1:]) for f in fields)
    assert set(indices) == set(range(1, 101))


@pytest.mark.parametrize("month", ["202013", "20200", "abcdef", "2020-00"])
def test_buylist_rejects_bad_months(month: str) -> None:
    with pytest.raises(SimulatorError):
        buylist_lines(month)
