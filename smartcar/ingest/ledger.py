"""The processed-files ledger: which file contents were loaded, where, and with which counts.

A small SQLite database under ``<SMARTCAR_HOME>/ingest/`` (one writer at a time, guarded by a file
lock in :mod:`smartcar.ingest.spool`). The key is the SHA-256 of the file's bytes, so the same content
is never loaded twice whatever its name, the failure the original hit when a same-named file was
re-delivered (docs/known-faults.md#re-delivered-spool-file-fails-to-load). Every delivery, duplicates included, is also
recorded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from smartcar.settings import Settings, get_settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS loaded_files (
    checksum       TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    source_name    TEXT NOT NULL,
    wrk_date       TEXT NOT NULL,
    data_date      TEXT,
    lines_in       INTEGER NOT NULL,
    lines_landed   INTEGER NOT NULL,
    lines_filtered INTEGER NOT NULL,
    bytes_in       INTEGER NOT NULL,
    landed_path    TEXT NOT NULL,
    landed_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    checksum     TEXT NOT NULL,
    source_name  TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    wrk_date     TEXT NOT NULL,
    delivered_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LoadRecord:
    """One loaded file and its count reconciliation (``lines_in = lines_landed + lines_filtered``)."""

    checksum: str
    kind: str
    source_name: str
    wrk_date: str
    data_date: str | None
    lines_in: int
    lines_landed: int
    lines_filtered: int
    bytes_in: int
    landed_path: str
    landed_at: str = ""

    def __post_init__(self) -> None:
        if self.lines_in != self.lines_landed + self.lines_filtered:
            raise ValueError(
                f"{self.source_name}: counts do not reconcile: in={self.lines_in} "
                f"landed={self.lines_landed} filtered={self.lines_filtered}"
            )


def ledger_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).home / "ingest" / "ledger.sqlite"


class Ledger:
    """Open (and create) the ledger; use as a context manager."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or ledger_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def find(self, checksum: str) -> LoadRecord | None:
        cur = self._db.execute(
            "SELECT checksum, kind, source_name, wrk_date, data_date, lines_in, lines_landed, lines_filtered,"
            " bytes_in, landed_path, landed_at FROM loaded_files WHERE checksum = ?",
            (checksum,),
        )
        row = cur.fetchone()
        return LoadRecord(*row) if row else None

    def record_load(self, record: LoadRecord) -> LoadRecord:
        """Store a durable load; returns the record with its timestamp."""
        stamped = LoadRecord(**{**asdict(record), "landed_at": record.landed_at or _now()})
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO loaded_files VALUES (:checksum, :kind, :source_name, :wrk_date, :data_date, :lines_in,"
                " :lines_landed, :lines_filtered, :bytes_in, :landed_path, :landed_at)",
                asdict(stamped),
            )
            self._delivery(stamped.checksum, stamped.source_name, "loaded", stamped.wrk_date)
        return stamped

    def record_duplicate(self, checksum: str, source_name: str, wrk_date: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._delivery(checksum, source_name, "duplicate", wrk_date)

    def _delivery(self, checksum: str, source_name: str, outcome: str, wrk_date: str) -> None:
        self._db.execute(
            "INSERT INTO deliveries (checksum, source_name, outcome, wrk_date, delivered_at) VALUES (?, ?, ?, ?, ?)",
            (checksum, source_name, outcome, wrk_date, _now()),
        )

    def loads(self, wrk_date: str | None = None) -> list[LoadRecord]:
        sql = (
            "SELECT checksum, kind, source_name, wrk_date, data_date, lines_in, lines_landed, lines_filtered,"
            " bytes_in, landed_path, landed_at FROM loaded_files"
        )
        args: tuple[str, ...] = ()
        if wrk_date:
            sql += " WHERE wrk_date = ?"
            args = (wrk_date,)
        return [LoadRecord(*row) for row in self._db.execute(sql + " ORDER BY landed_at, source_name", args)]

    def deliveries(self) -> list[tuple[str, str, str, str]]:
        """``(source_name, outcome, wrk_date, checksum)`` of every delivery, oldest first."""
        cur = self._db.execute("SELECT source_name, outcome, wrk_date, checksum FROM deliveries ORDER BY id")
        return list(cur.fetchall())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
