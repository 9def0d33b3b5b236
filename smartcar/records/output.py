"""Write found records as a text table, CSV or JSON lines, one row at a time.

Each writer consumes the search generator lazily and flushes as it goes, so a search over millions
of rows never holds them in memory and the first rows appear before the scan ends. The text table
is fixed-width (column widths known from the data layout, docs/data-formats.md#driving-log) rather than a rich
table, because a rich table must see every row before it can print the first.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from smartcar.core.driving_record import QUALIFIERS
from smartcar.records.search import Record

FORMATS = ("table", "csv", "jsonl")
HEADER = ("row_key", *QUALIFIERS)
_WIDTHS = {"row_key": 20, "date": 14, "car_number": 10, "speed_pedal": 11, "break_pedal": 11}
_WIDTHS |= {"steer_angle": 11, "direct_light": 12, "speed": 5, "area_number": 11}


def write_records(records: Iterable[Record], fmt: str, out: TextIO) -> int:
    """Write ``records`` to ``out`` in ``fmt``; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for n, record in enumerate(records, 1):
            writer.writerow(record.as_dict().values())
            _flush_every(out, n)
    elif fmt == "jsonl":
        for n, record in enumerate(records, 1):
            out.write(json.dumps(record.as_dict(), ensure_ascii=False) + "\n")
            _flush_every(out, n)
    else:
        out.write(_table_line(HEADER) + "\n")
        out.write(_table_line(tuple("-" * _WIDTHS[h] for h in HEADER)) + "\n")
        for n, record in enumerate(records, 1):
            out.write(_table_line(tuple(record.as_dict().values())) + "\n")
            _flush_every(out, n)
    out.flush()
    return n


def _table_line(cells: tuple[str, ...]) -> str:
    return "  ".join(cell.ljust(_WIDTHS[name]) for name, cell in zip(HEADER, cells, strict=True)).rstrip()


def _flush_every(out: TextIO, n: int, every: int = 1000) -> None:
    if n % every == 0:
        out.flush()
