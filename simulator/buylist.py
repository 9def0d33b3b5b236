"""Item buy list (docs/data-formats.md#item-buy-list): ``CarItemBuyList_<yyyyMM>.txt``, 4 CSV fields, no header.

Each row: a car number (uniform letter, uniform index 1..100 as in the original, or 1..cars for a
larger fleet: always a row of the master), ``Item-001``..``Item-030`` uniform, a score 1..5
uniform, and the month. 100,000 rows by default. The format is byte-compatible with the
reference ``CarItemBuyList_202003.txt``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulator.cars import LETTERS, SimulatorError, car_number, check_seed, parse_month, rng_for
from simulator.master import master_indices

ROWS = 100_000
ITEMS = 30
SCORES = 5
FILE_PREFIX = "CarItemBuyList"


def buylist_lines(month: str, seed: int = 0, rows: int = ROWS, cars: int = 100) -> Iterator[str]:
    """Lines ``car_number,item,score,month`` for one month."""
    month = parse_month(month)
    check_seed(seed)
    if rows <= 0:
        raise SimulatorError(f"rows must be positive, got {rows}")
    return _lines(month, seed, rows, master_indices(cars))


def _lines(month: str, seed: int, rows: int, indices: int) -> Iterator[str]:
    rng = rng_for(seed, "buylist", int(month))
    u = rng.random((4, rows))
    letters = (u[0] * len(LETTERS)).astype(np.int64).tolist()
    numbers = ((u[1] * indices).astype(np.int64) + 1).tolist()
    items = ((u[2] * ITEMS).astype(np.int64) + 1).tolist()
    scores = ((u[3] * SCORES).astype(np.int64) + 1).tolist()
    for letter, number, item, score in zip(letters, numbers, items, scores, strict=True):
        yield f"{car_number(LETTERS[letter], number)},Item-{item:03d},{score},{month}"


def buylist_file_name(month: str, run_id: str) -> str:
    return f"{FILE_PREFIX}_{parse_month(month)}_{run_id}.txt"


def write_buylist(
    directory: str | Path,
    month: str,
    seed: int = 0,
    rows: int = ROWS,
    cars: int = 100,
    *,
    run_id: str | None = None,
    final_name: str | None = None,
) -> Path:
    """Write one month's buy list atomically into ``directory``; returns the path."""
    from simulator.sinks import new_run_id, write_spool_file

    lines = buylist_lines(month, seed, rows, cars)
    return write_spool_file(lines, directory, final_name or buylist_file_name(month, run_id or new_run_id()))
