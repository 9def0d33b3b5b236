"""Correct driving records cell by cell with HBase Puts, keep the old versions, audit every change.

A correction is a Put of the new values on the record's row. DriverCarInfo keeps
``MAX_VERSIONS`` versions per cell, so the value it replaces stays readable (:func:`history`).
The new cells get a timestamp strictly above the ones they replace (normally "now"), so the
correction is the latest version even if the original writer stamped cells in the future.

Every correction is recorded in the table ``DriverCarInfo_Audit`` (family ``a``), one row per
correction, keyed ``<record key>|<cell timestamp, 13 digits>|<8 hex>`` so a record's corrections
are one prefix scan, oldest first. Columns: ``row``, ``user``, ``at`` (UTC ISO time), ``reason``,
``cell_ts``, ``status`` and ``old.<column>``/``new.<column>`` per corrected column.

Order of writes: the audit row first with ``status=pending``, then the data Put, then
``status=applied``. HBase has no transaction across tables; this order means a correction can
never be applied without an audit row, and a crash in between leaves a visible ``pending`` row.
All validation (columns, values, the row existing) happens before the first write.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smartcar.core.driving_record import MAX_VERSIONS, NUMERIC_FIELDS, QUALIFIERS, TABLE, column
from smartcar.records.conditions import check_column
from smartcar.records.errors import CorrectionError, RowKeyError
from smartcar.records.keys import parse_row_key

if TYPE_CHECKING:
    import happybase

AUDIT_TABLE = "DriverCarInfo_Audit"
AUDIT_FAMILY = "a"
_INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Correction:
    """What one call of :func:`correct` changed."""

    key: str
    changes: dict[str, tuple[str | None, str]]  # column -> (old value or None, new value)
    user: str
    at: str
    cell_timestamp: int
    audit_key: str
    reason: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """One correction as stored in the audit table."""

    audit_key: str
    user: str
    at: str
    reason: str
    status: str
    cell_timestamp: int | None
    changes: dict[str, tuple[str | None, str | None]]

    @property
    def row_key(self) -> str:
        return self.audit_key.split("|", 1)[0]


@dataclass(frozen=True)
class RecordHistory:
    """Every stored version of a record's cells (newest first) and its corrections."""

    key: str
    versions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    audits: list[AuditEntry] = field(default_factory=list)


def parse_assignments(items: Iterable[str] | Mapping[str, object]) -> dict[str, str]:
    """``["speed=90", "area_number=D04"]`` (or a mapping) -> validated ``{column: value}``."""
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items:
            col, sep, value = item.partition("=")
            if not sep or not col.strip():
                raise CorrectionError(f"malformed correction {item!r}: expected COLUMN=VALUE, e.g. speed=90")
            pairs.append((col.strip(), value.strip()))
    if not pairs:
        raise CorrectionError("nothing to correct: give at least one COLUMN=VALUE")
    changes: dict[str, str] = {}
    for col, value in pairs:
        check_column(col, CorrectionError)
        if col in changes:
            raise CorrectionError(f"column {col!r} is corrected twice in one call")
        if value == "":
            raise CorrectionError(f"empty value for {col!r}: a correction writes a value")
        if col in NUMERIC_FIELDS:
            if not _INTEGER.fullmatch(value):
                raise CorrectionError(f"{col} holds integers: {value!r} is not a non-negative integer")
            value = str(int(value))  # stored unpadded, like the simulator writes it
        changes[col] = value
    return changes


def ensure_audit_table(connection: happybase.Connection) -> happybase.Table:
    """Create ``DriverCarInfo_Audit`` when missing (idempotent) and return it."""
    if AUDIT_TABLE.encode() not in connection.tables():
        try:
            connection.create_table(AUDIT_TABLE, {AUDIT_FAMILY: {"max_versions": 1}})
        except Exception:
            if AUDIT_TABLE.encode() not in connection.tables():
                raise
    return connection.table(AUDIT_TABLE)


def default_user() -> str:
    """Who is correcting: ``SMARTCAR_USER`` if set, else the login name."""
    return os.environ.get("SMARTCAR_USER") or getpass.getuser()


def correct(
    key: str,
    changes: Iterable[str] | Mapping[str, object],
    *,
    user: str | None = None,
    reason: str = "",
    connection: happybase.Connection,
) -> Correction:
    """Put corrected values on record ``key`` and audit it; raises before writing on any bad input."""
    parse_row_key(key)
    wanted = parse_assignments(changes)
    table = connection.table(TABLE)
    current = table.row(key.encode(), include_timestamp=True)
    if not current:
        raise RowKeyError(f"no record with row key {key!r} in {TABLE}")
    old = {col: current.get(column(col)) for col in wanted}
    diff = {col: new for col, new in wanted.items() if old[col] is None or old[col][0].decode() != new}
    if not diff:
        raise CorrectionError(
            f"nothing to correct: {key} already holds " + ", ".join(f"{c}={v}" for c, v in wanted.items())
        )
    newest = max((cell[1] for col, cell in old.items() if col in diff and cell is not None), default=0)
    cell_ts = max(int(time.time() * 1000), newest + 1)
    who = user or default_user()
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    audit_key = f"{key}|{cell_ts:013d}|{uuid.uuid4().hex[:8]}"
    before = {col: (old[col][0].decode() if old[col] else None) for col in diff}

    audit = ensure_audit_table(connection)
    record: dict[bytes, bytes] = {
        _a("row"): key.encode(),
        _a("user"): who.encode(),
        _a("at"): at.encode(),
        _a("reason"): reason.encode(),
        _a("cell_ts"): str(cell_ts).encode(),
        _a("status"): b"pending",
    }
    for col, new in diff.items():
        record[_a(f"new.{col}")] = new.encode()
        if before[col] is not None:
            record[_a(f"old.{col}")] = before[col].encode()  # type: ignore[union-attr]
    audit.put(audit_key.encode(), record)
    table.put(key.encode(), {column(col): new.encode() for col, new in diff.items()}, timestamp=cell_ts)
    audit.put(audit_key.encode(), {_a("status"): b"applied"})
    return Correction(key, {c: (before[c], diff[c]) for c in diff}, who, at, cell_ts, audit_key, reason)


def history(key: str, connection: happybase.Connection) -> RecordHistory:
    """All kept versions of every cell of ``key`` plus its audit entries; raises if the row is absent."""
    parse_row_key(key)
    table = connection.table(TABLE)
    if not table.row(key.encode()):
        raise RowKeyError(f"no record with row key {key!r} in {TABLE}")
    versions: dict[str, list[tuple[int, str]]] = {}
    for col in QUALIFIERS:
        cells = table.cells(key.encode(), column(col), versions=MAX_VERSIONS, include_timestamp=True)
        if cells:
            versions[col] = [(ts, value.decode("utf-8", "replace")) for value, ts in cells]
    return RecordHistory(key, versions, audit_entries(key, connection))


def audit_entries(key: str, connection: happybase.Connection) -> list[AuditEntry]:
    """The corrections of one record, oldest first (empty if the audit table does not exist yet)."""
    return list(iter_audit(connection, row_key=key))


def iter_audit(
    connection: happybase.Connection, *, row_key: str | None = None, user: str | None = None
) -> Iterator[AuditEntry]:
    """Audit entries in audit-key order (record key, then time), optionally of one record or user."""
    if AUDIT_TABLE.encode() not in connection.tables():
        return
    prefix = f"{row_key}|".encode() if row_key else None
    for audit_key, data in connection.table(AUDIT_TABLE).scan(row_prefix=prefix):
        values = {c.decode().split(":", 1)[1]: v.decode("utf-8", "replace") for c, v in data.items()}
        if user is not None and values.get("user") != user:
            continue
        changed = sorted({name.split(".", 1)[1] for name in values if name.startswith(("old.", "new."))})
        yield AuditEntry(
            audit_key=audit_key.decode(),
            user=values.get("user", ""),
            at=values.get("at", ""),
            reason=values.get("reason", ""),
            status=values.get("status", ""),
            cell_timestamp=int(values["cell_ts"]) if values.get("cell_ts", "").isdigit() else None,
            changes={c: (values.get(f"old.{c}"), values.get(f"new.{c}")) for c in changed},
        )


def _a(name: str) -> bytes:
    return f"{AUDIT_FAMILY}:{name}".encode()


__all__ = [
    "AUDIT_TABLE",
    "AuditEntry",
    "Correction",
    "RecordHistory",
    "correct",
    "ensure_audit_table",
    "history",
    "iter_audit",
    "parse_assignments",
]
