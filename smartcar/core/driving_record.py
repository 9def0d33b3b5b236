"""The driving record, defined once: its fields, and its HBase table exactly as the original pilot laid it out
(docs/data-formats.md#driving-log, docs/data-formats.md#hbase-table-drivercarinfo).

A driving-log line is eight comma-separated fields (:data:`DRIVING_FIELDS`); the same names, in the
same order, are the UTF-8 string qualifiers of table ``DriverCarInfo``, family ``cf1``, whose row key
is the 14-digit timestamp reversed character by character, ``-``, car number. The reversed timestamp
spreads writes over pre-split regions; the stream writer, the Hive copy and the record search all
build keys with :func:`row_key` so they can never disagree. Every other column list of the driving
record (the stream's parser, the rules' fields, the lake's drive table, the HBase copy, the record
search) derives from the tuples here, so a typo-compatible name such as ``break`` (for brake) is
spelled once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import happybase

    from smartcar.core.business_dates import BusinessDate

DRIVING_FIELDS: tuple[str, ...] = (
    "date",
    "car_number",
    "speed_pedal",
    "break_pedal",
    "steer_angle",
    "direct_light",
    "speed",
    "area_number",
)
"""The 8 fields of a driving-log line, in order (``date`` is the 14-digit event timestamp)."""
MEASURES: tuple[str, ...] = DRIVING_FIELDS[2:]
"""What the car measured: the fields after the timestamp and the car number."""
NUMERIC_FIELDS: frozenset[str] = frozenset({"speed_pedal", "break_pedal", "speed"})
"""Fields compared as numbers (rules, record search); the others are codes."""

TABLE = "DriverCarInfo"
FAMILY = "cf1"
QUALIFIERS: tuple[str, ...] = DRIVING_FIELDS
"""The HBase qualifiers of ``DriverCarInfo``: the line's fields, one cell each."""
MAX_VERSIONS = 5
"""Corrections keep earlier values readable (issue 8), so the family keeps several versions."""
FAMILY_OPTIONS: dict[str, object] = {
    "max_versions": MAX_VERSIONS,
    "block_cache_enabled": True,
    "bloom_filter_type": "ROW",
}
"""HBase's own defaults for a family, spelled out: the Thrift1 ``ColumnDescriptor`` defaults to no
block cache and no Bloom filter, which made every record-search get read store files from disk
(one car-hour, 3,600 gets: 750 ms without, see the README's record-search figures)."""


def row_key(timestamp: str, car_number: str) -> str:
    """``20160103010600`` + ``Z0020`` -> ``00601030106102-Z0020`` (the original SplitBolt key)."""
    return f"{timestamp[::-1]}-{car_number}"


def day_key_regex(day: BusinessDate) -> str:
    """Regex matching the row keys of one simulation day (parsed by the caller: only digits go in).

    A timestamp is ``day + HHmmss``, so its reversed form is six clock digits then ``day`` reversed:
    the keys of a day are ``[0-9]{6}`` followed by ``row_key(day, "")`` (digits and ``-``: nothing to
    escape, and the same text is valid for Java's regex in an HBase ``RowFilter``).
    """
    return "^[0-9]{6}" + row_key(day, "")


def split_row_key(key: str | bytes) -> tuple[str, str]:
    """Inverse of :func:`row_key`: ``(timestamp, car_number)``."""
    text = key.decode() if isinstance(key, bytes) else key
    reversed_ts, _, car = text.partition("-")
    return reversed_ts[::-1], car


def column(qualifier: str) -> bytes:
    """``speed`` -> ``b"cf1:speed"``."""
    return f"{FAMILY}:{qualifier}".encode()


COLUMNS: tuple[bytes, ...] = tuple(column(q) for q in QUALIFIERS)
"""``family:qualifier`` of every field, in :data:`DRIVING_FIELDS` order (what writers put, scans ask for)."""


def ensure_table(connection: happybase.Connection) -> happybase.Table:
    """Create ``DriverCarInfo`` if missing (idempotent) and return it."""
    if TABLE.encode() not in connection.tables():
        try:
            connection.create_table(TABLE, {FAMILY: dict(FAMILY_OPTIONS)})
        except Exception:
            if TABLE.encode() not in connection.tables():
                raise
    return connection.table(TABLE)
