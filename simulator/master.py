"""Car master data (docs/data-formats.md#car-master): ``CarMaster.txt``, 9 pipe-delimited UTF-8 fields, no header.

Rows enumerate every letter for every index, letter-major (``A0001``..``A0100``, ``B0001``, ...),
like the shipped 2,600-row file, so any car number of any fleet of up to 100 cars (or of the
``cars`` given, if more) joins to it. The format is byte-compatible with the reference
``CarMaster.txt`` (LF line ends, final newline): either file can be loaded wherever the other is.

Each row's values come from a stream keyed by (seed, index), so a car keeps its owner's profile
whatever the population size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulator.cars import LETTERS, SimulatorError, car_number, check_cars, check_seed, rng_for

SEXES = ("남", "여")
MARRIAGES = ("기혼", "미혼")
REGIONS = (
    "경기",
    "서울",
    "강원",
    "인천",
    "충북",
    "충남",
    "대전",
    "경북",
    "경남",
    "대구",
    "전북",
    "전남",
    "울산",
    "부산",
    "광주",
    "제주",
    "세종",
)
JOBS = {
    # The data file the book actually loads (CH06/CarMaster.txt) and the 1st-edition generator.
    "shipped": ("회사원", "공무원", "개인사업", "전문직", "프리랜서", "주부", "학생"),
    # The 2nd-edition generator source, its jar and CH02/Sample.txt.
    "generator": ("무직", "회사원", "자영업", "공무원", "학생"),
}
CAPACITIES = (1000, 1200, 1500, 1700, 2000, 2500, 3000, 3500)
AGES = (15, 70)
YEARS = (2000, 2016)
MODELS = "ABCDEFGH"  # the code's list runs to J but its draw index only covers A..H
FILE_NAME = "CarMaster.txt"
MIN_INDICES = 100


def master_indices(cars: int = MIN_INDICES) -> int:
    """Indices per letter: 100 as in the original, more if a fleet is larger."""
    return max(check_cars(cars), MIN_INDICES)


def master_rows(seed: int = 0, cars: int = MIN_INDICES, jobs: str = "shipped") -> Iterator[tuple[str, ...]]:
    """Rows ``(car_number, sex, age, marriage, region, job, car_capacity, car_year, car_model)``."""
    check_seed(seed)
    if jobs not in JOBS:
        raise SimulatorError(f"unknown job list {jobs!r}; choose one of {', '.join(JOBS)}")
    return _rows(seed, master_indices(cars), JOBS[jobs])


def _rows(seed: int, count: int, job_list: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    columns = []
    for index in range(1, count + 1):
        u = rng_for(seed, "master", index).random((8, len(LETTERS)))
        columns.append(
            (
                (u[0] * 2).astype(np.int64),
                (u[1] * (AGES[1] - AGES[0] + 1)).astype(np.int64) + AGES[0],
                (u[2] * 2).astype(np.int64),
                (u[3] * len(REGIONS)).astype(np.int64),
                (u[4] * len(job_list)).astype(np.int64),
                (u[5] * len(CAPACITIES)).astype(np.int64),
                (u[6] * (YEARS[1] - YEARS[0] + 1)).astype(np.int64) + YEARS[0],
                (u[7] * len(MODELS)).astype(np.int64),
            )
        )
    for li, letter in enumerate(LETTERS):
        for index in range(1, count + 1):
            sex, age, mar, reg, job, cap, year, model = (int(c[li]) for c in columns[index - 1])
            yield (
                car_number(letter, index),
                SEXES[sex],
                str(age),
                MARRIAGES[mar],
                REGIONS[reg],
                job_list[job],
                str(CAPACITIES[cap]),
                str(year),
                MODELS[model],
            )


def master_lines(seed: int = 0, cars: int = MIN_INDICES, jobs: str = "shipped") -> Iterator[str]:
    """Lines of ``CarMaster.txt`` without newlines."""
    return ("|".join(row) for row in master_rows(seed, cars, jobs))


def master_file_name(run_id: str) -> str:
    return f"CarMaster_{run_id}.txt"


def write_master(
    directory: str | Path,
    seed: int = 0,
    cars: int = MIN_INDICES,
    jobs: str = "shipped",
    *,
    run_id: str | None = None,
    final_name: str | None = None,
) -> Path:
    """Write the master atomically into ``directory``; returns the path."""
    from simulator.sinks import new_run_id, write_spool_file

    lines = master_lines(seed, cars, jobs)
    return write_spool_file(lines, directory, final_name or master_file_name(run_id or new_run_id()))


def parse_master_line(line: str) -> tuple[str, ...]:
    """Split one master line (generated or reference) into its 9 fields, or raise."""
    fields = tuple(line.rstrip("\n").split("|"))
    if len(fields) != 9:
        raise SimulatorError(f"master line has {len(fields)} fields, expected 9: {line!r}")
    return fields
