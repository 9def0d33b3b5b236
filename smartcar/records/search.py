"""Find driving records in DriverCarInfo by car, time range and column conditions.

:func:`plan` picks how to read the table (see :mod:`.keys` for why the reversed-timestamp key
forces these choices); :func:`search` runs the plan as a generator, so a large result streams
row by row and stopping early (``limit``, or the caller breaking) closes the HBase scanner.

Plans, cheapest first:

``multi-get``
    Cars given and the time range bounded and small enough: every candidate key is known
    (each clock second x each car), so batched ``Table.rows`` calls fetch exactly those rows. The
    Thrift ``getRows`` call takes no filter, so column conditions are checked here; there is
    nothing for a server filter to skip anyway. Results come in time order.
``prefix-scans``
    No car (or too many seconds for a multi-get) and a range of at most four hours: one prefix scan
    per second (``reverse(ts) + "-"``) with the column conditions (and cars) as a server-side
    filter. Time order.
``scan``
    Everything else: one scan, narrowed to the key span the range can touch, with a ``RowFilter``
    regex for time and cars and a ``SingleColumnValueFilter`` per condition, all evaluated on the
    server. Row-key order (reversed timestamps: not time order).

Every plan re-checks each returned row exactly (key range, cars, conditions) before yielding it,
so the result is right even where the server filter can only narrow (see :mod:`.filters`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smartcar.core.driving_record import COLUMNS, QUALIFIERS, row_key
from smartcar.records.conditions import Condition, parse_condition
from smartcar.records.errors import RecordsError
from smartcar.records.filters import Unsatisfiable, conditions_filter
from smartcar.records.keys import TimeRange, key_span, parse_row_key, row_regex, validate_car

if TYPE_CHECKING:
    import happybase

MAX_GET_KEYS = 400_000
"""Largest multi-get (seconds x cars); a full day for four cars. Above this one filtered scan is cheaper."""
GET_CHUNK = 2_000
"""Most keys per getRows call: big enough to amortise the round trip, small enough to stream."""
FIRST_GET_CHUNK = 250
"""The first getRows call is small so a ``limit`` or a reader of the first rows waits less; then it doubles."""
MAX_PREFIX_SCANS = 4 * 3_600
"""Most per-second prefix scans (four hours) before one filtered scan of the table is preferred.

Measured on the 4.3M-row day (bench/bench_records_search.py --full-scan): one hour of prefix scans
cost 4.4 s of CPU (11 s wall), one filtered scan of the whole table 35 s of CPU (68 s wall), so
break-even is near eight hours for a one-day table, and later for bigger tables. On a tiny table
a scan would be cheaper, but then both are fast.
"""
SCAN_BATCH = 1_000

_NAMES: dict[bytes, str] = dict(zip(COLUMNS, QUALIFIERS, strict=True))
"""``b"cf1:speed"`` -> ``"speed"``; other columns (none in the pilot) are not part of a record."""


@dataclass(frozen=True)
class RecordQuery:
    """What to find. Build from user text with :meth:`build`, which validates everything up front."""

    cars: tuple[str, ...] = ()
    time_range: TimeRange = field(default_factory=TimeRange)
    conditions: tuple[Condition, ...] = ()
    limit: int | None = None

    @classmethod
    def build(
        cls,
        cars: str | Iterable[str] | None = None,
        start: str | None = None,
        stop: str | None = None,
        where: Iterable[str | Condition] = (),
        limit: int | None = None,
    ) -> RecordQuery:
        """``RecordQuery.build("Z0020", "2020032210", "2020032210", ["speed>100"])``.

        ``cars`` may be one car, a comma-separated list or an iterable; raises a
        :class:`~smartcar.records.errors.RecordsError` subclass on any bad input.
        """
        if isinstance(cars, str):
            cars = cars.split(",")
        car_list = tuple(dict.fromkeys(validate_car(c.strip()) for c in (cars or ()) if c.strip()))
        conditions = tuple(c if isinstance(c, Condition) else parse_condition(c) for c in where)
        if limit is not None and limit < 1:
            raise RecordsError(f"limit must be at least 1, got {limit}")
        return cls(car_list, TimeRange.parse(start, stop), conditions, limit)

    def matches_key(self, key: str) -> bool:
        timestamp, car = parse_row_key(key)
        return self.time_range.contains(timestamp) and (not self.cars or car in self.cars)

    def matches_values(self, values: dict[str, str]) -> bool:
        return all(c.matches(values.get(c.column)) for c in self.conditions)

    def matches(self, key: str, values: dict[str, str]) -> bool:
        """The exact test every plan applies to what the server returns."""
        return self.matches_key(key) and self.matches_values(values)


@dataclass(frozen=True)
class Record:
    """One driving record: its row key and the latest value of each stored column."""

    key: str
    values: dict[str, str]

    @property
    def timestamp(self) -> str:
        return parse_row_key(self.key)[0]

    @property
    def car(self) -> str:
        return parse_row_key(self.key)[1]

    def as_dict(self) -> dict[str, str]:
        return {"row_key": self.key, **{q: self.values.get(q, "") for q in QUALIFIERS}}


@dataclass(frozen=True)
class Plan:
    """How a query reads the table (printed by ``smartcar records search --explain``)."""

    kind: str  # "multi-get" | "prefix-scans" | "scan" | "empty"
    filter: str | None = None
    row_start: str | None = None
    row_stop: str | None = None
    reads: int | None = None  # keys fetched (multi-get) or scans opened (prefix-scans)
    reason: str = ""

    def describe(self) -> str:
        lines = [f"plan: {self.kind} ({self.reason})"]
        if self.reads is not None:
            lines.append(f"reads: {self.reads:,} {'keys' if self.kind == 'multi-get' else 'prefix scans'}")
        if self.kind == "scan":
            lines.append(f"row range: [{self.row_start or '<table start>'}, {self.row_stop or '<table end>'})")
        if self.filter:
            lines.append(f"server filter: {self.filter}")
        return "\n".join(lines)


def plan(query: RecordQuery, max_get_keys: int = MAX_GET_KEYS, max_prefix_scans: int = MAX_PREFIX_SCANS) -> Plan:
    """Choose the cheapest way to read exactly the candidate rows of ``query``."""
    try:
        conditions_filter(query.conditions)
    except Unsatisfiable as exc:
        return Plan("empty", reason=str(exc))
    seconds = query.time_range.count_seconds()
    if seconds == 0:
        return Plan("empty", reason="the time range holds no clock second")
    if query.cars and seconds is not None and seconds * len(query.cars) <= max_get_keys:
        return Plan(
            "multi-get",
            reads=seconds * len(query.cars),
            reason=f"{len(query.cars)} car(s) x {seconds:,} second(s): every candidate key is known",
        )
    if seconds is not None and seconds <= max_prefix_scans:
        return Plan(
            "prefix-scans",
            filter=conditions_filter(query.conditions, _cars_regex(query.cars) if query.cars else None),
            reads=seconds,
            reason=f"{seconds} second(s): one key prefix each",
        )
    start, stop = key_span(query.time_range)
    regex = row_regex(query.time_range, query.cars)
    return Plan(
        "scan",
        filter=conditions_filter(query.conditions, regex),
        row_start=start,
        row_stop=stop,
        reason="time range too wide for key lookups" if query.cars else "no car given",
    )


def _cars_regex(cars: Sequence[str]) -> str:
    return "^[0-9]{14}-(" + "|".join(cars) + ")$"


def search(
    query: RecordQuery,
    table: happybase.Table,
    *,
    chosen: Plan | None = None,
) -> Iterator[Record]:
    """Matching records of ``table`` (DriverCarInfo on the caller's connection), streamed."""
    chosen = chosen or plan(query)
    remaining = query.limit
    for key, values in _candidates(query, chosen, table):
        if not query.matches_values(values):  # keys were checked by _candidates
            continue
        yield Record(key, values)
        if remaining is not None:
            remaining -= 1
            if remaining == 0:
                return


def count(query: RecordQuery, table: happybase.Table) -> int:
    """How many records match (streams; holds no rows in memory)."""
    return sum(1 for _ in search(query, table))


def _candidates(query: RecordQuery, chosen: Plan, table: happybase.Table) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows the plan reads, keys already re-checked (multi-get keys are built in range)."""
    batch = min(SCAN_BATCH, query.limit) if query.limit else SCAN_BATCH
    if chosen.kind == "empty":
        return
    if chosen.kind == "multi-get":
        keys = (row_key(ts, car) for ts in query.time_range.iter_timestamps() for car in query.cars)
        for chunk in _chunks(keys, FIRST_GET_CHUNK, GET_CHUNK):
            for key, data in table.rows([k.encode() for k in chunk]):
                if data:
                    yield key.decode(), _decode(data)
        return
    if chosen.kind == "prefix-scans":
        for ts in query.time_range.iter_timestamps():
            prefix = row_key(ts, "").encode()
            for key, data in table.scan(row_prefix=prefix, filter=chosen.filter, batch_size=batch):
                if query.matches_key(text := key.decode()):
                    yield text, _decode(data)
        return
    rows = table.scan(
        row_start=chosen.row_start.encode() if chosen.row_start else None,
        row_stop=chosen.row_stop.encode() if chosen.row_stop else None,
        filter=chosen.filter,
        batch_size=batch,
    )
    for key, data in rows:
        if query.matches_key(text := key.decode()):
            yield text, _decode(data)


def _decode(data: dict[bytes, bytes]) -> dict[str, str]:
    names = _NAMES
    return {names[col]: value.decode("utf-8", "replace") for col, value in data.items() if col in names}


def _chunks(items: Iterator[str], first: int, most: int) -> Iterator[list[str]]:
    """Lists of ``first``, ``2 * first``, ... up to ``most`` items."""
    chunk: list[str] = []
    size = first
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
            size = min(size * 2, most)
    if chunk:
        yield chunk
