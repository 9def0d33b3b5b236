"""Flume-style spool-directory loader (docs/original-system.md#flume-spool-flow), with the original's faults fixed.

Picks up completed files from the spool directory, recognises them by name, and lands them under the
warehouse landing root:

==========  =====================================  ==============================================
kind        spool file name                        landed as
==========  =====================================  ==============================================
status      ``SmartCarStatusInfo_<yyyyMMdd>*``     ``car-batch-log/wrk_date=<W>/car-batch-log.<sha>.log``
                                                   through both interceptors (14-digit filter and
                                                   ``,<W>`` collection-date suffix)
master      ``CarMaster*.txt``                     ``car-master/CarMaster.txt``, bytes unchanged (a new
                                                   master replaces the previous snapshot)
buylist     ``CarItemBuyList_<yyyyMM>*``           ``buy-list/CarItemBuyList_<yyyyMM>.txt``, unchanged
==========  =====================================  ==============================================

``W`` (``wrk_date``) is the collection date: the Airflow run's logical date in a DAG, today by default
on the command line. Fixed faults: a content checksum ledger makes a re-delivered file (any name) a
recorded no-op; counts are reconciled per file (in = landed + filtered) and stored; the source is
deleted (or archived) only after the landed file is fsynced and renamed into place. Files whose name
is not recognised stay in the spool and are reported. Hidden (``.``) and ``.tmp`` files are in flight.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from smartcar.core.business_dates import BusinessDate
from smartcar.core.fileio import atomic_writer
from smartcar.ingest import interceptors
from smartcar.ingest.ledger import Ledger, LoadRecord, ledger_path
from smartcar.lake.catalog import table_spec
from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)

STATUS_DIR = "car-batch-log"
MASTER_DIR = "car-master"
BUYLIST_DIR = "buy-list"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("status", re.compile(r"^SmartCarStatusInfo_(?P<date>\d{8})")),
    ("master", re.compile(r"^CarMaster(?!2Income)")),
    ("buylist", re.compile(r"^CarItemBuyList_(?P<date>\d{6})")),
)

Disposal = Literal["delete", "archive", "keep"]


@dataclass
class SpoolReport:
    """What one pass over the spool did."""

    wrk_date: str
    loaded: list[LoadRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "wrk_date": self.wrk_date,
            "loaded": [r.__dict__ for r in self.loaded],
            "duplicates": self.duplicates,
            "unrecognised": self.unrecognised,
        }


def classify(name: str) -> tuple[str, str | None] | None:
    """``(kind, data date from the name)`` or None for a file we do not know."""
    for kind, pattern in _PATTERNS:
        m = pattern.match(name)
        if m:
            return kind, m.groupdict().get("date")
    return None


def in_flight(name: str) -> bool:
    return name.startswith(".") or name.endswith((".tmp", ".part", ".COMPLETED"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def land_status(source: Path, target: Path, wrk_date: BusinessDate) -> tuple[int, int, int]:
    """Both interceptors over a status file; returns ``(lines_in, landed, filtered)``."""
    suffix = interceptors.collect_day_suffix(wrk_date)
    lines_in = landed = 0
    with open(source, "rb", buffering=1 << 20) as src, atomic_writer(target) as out:
        batch: list[bytes] = []
        for line in src:
            lines_in += 1
            kept = interceptors.intercept(line, suffix)
            if kept is not None:
                batch.append(kept)
                if len(batch) >= 10_000:
                    out.write(b"".join(batch))
                    landed += len(batch)
                    batch.clear()
        out.write(b"".join(batch))
        landed += len(batch)
    return lines_in, landed, lines_in - landed


def land_unchanged(source: Path, target: Path) -> tuple[int, int, int]:
    """Copy bytes as they are (master and buy list must load unchanged)."""
    lines_in = 0
    with open(source, "rb") as src, atomic_writer(target) as out:
        last = b"\n"
        for block in iter(lambda: src.read(1 << 20), b""):
            lines_in += block.count(b"\n")
            last = block[-1:]
            out.write(block)
        if last != b"\n":
            lines_in += 1  # a last line without newline still counts (and lands as is)
    return lines_in, lines_in, 0


def _target(s: Settings, kind: str, data_date: str | None, checksum: str, wrk_date: BusinessDate) -> Path:
    landing = s.landing_path
    if kind == "status":
        return table_spec("smartcar_status_info").partition_path(wrk_date, s) / f"{STATUS_DIR}.{checksum[:16]}.log"
    if kind == "master":
        return landing / MASTER_DIR / "CarMaster.txt"
    if data_date is None:
        raise ValueError("a buy list needs its month in the name")
    return landing / BUYLIST_DIR / f"CarItemBuyList_{data_date}.txt"


@contextlib.contextmanager
def _exclusive(settings: Settings) -> Iterator[None]:
    lock = settings.home / "ingest" / "spool.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _dispose(source: Path, disposal: Disposal, settings: Settings, wrk_date: BusinessDate) -> None:
    if disposal == "delete":
        source.unlink()
    elif disposal == "archive":
        archive = settings.home / "ingest" / "archive" / wrk_date
        archive.mkdir(parents=True, exist_ok=True)
        shutil.move(source, archive / source.name)


def ingest_file(
    source: Path,
    wrk_date: BusinessDate,
    *,
    settings: Settings,
    ledger: Ledger | None = None,
    disposal: Disposal = "delete",
) -> LoadRecord | None:
    """Load one file; returns its record, or None if this content was loaded before (a duplicate)."""
    kind_date = classify(source.name)
    if kind_date is None:
        raise ValueError(f"{source.name}: not a status, master or buy-list file name")
    kind, data_date = kind_date
    own = ledger is None
    led = ledger or Ledger(ledger_path(settings))
    try:
        checksum = sha256_of(source)
        previous = led.find(checksum)
        if previous is not None:
            log.warning(
                "%s: same content already loaded as %s on %s; not loaded again",
                source.name,
                previous.source_name,
                previous.wrk_date,
            )
            led.record_duplicate(checksum, source.name, wrk_date)
            _dispose(source, disposal, settings, wrk_date)
            return None
        target = _target(settings, kind, data_date, checksum, wrk_date)
        size = source.stat().st_size
        counts = land_status(source, target, wrk_date) if kind == "status" else land_unchanged(source, target)
        record = led.record_load(
            LoadRecord(checksum, kind, source.name, wrk_date, data_date, *counts, size, str(target))
        )
        log.info("%s -> %s: in=%d landed=%d filtered=%d", source.name, target, *counts)
        _dispose(source, disposal, settings, wrk_date)
        return record
    finally:
        if own:
            led.close()


def ingest_spool(
    wrk_date: str | None = None,
    *,
    spool: Path | None = None,
    settings: Settings | None = None,
    disposal: Disposal = "delete",
) -> SpoolReport:
    """One pass over the spool directory: load every completed file (masters first, then the rest)."""
    s = settings or get_settings()
    wrk = BusinessDate(wrk_date) if wrk_date else BusinessDate.of(date.today())  # the edge: parsed once
    directory = spool or s.spool_path
    directory.mkdir(parents=True, exist_ok=True)
    report = SpoolReport(wrk)
    table_spec("smartcar_status_info").partition_path(wrk, s).mkdir(parents=True, exist_ok=True)
    with _exclusive(s), Ledger(ledger_path(s)) as ledger:
        files = sorted(p for p in directory.iterdir() if p.is_file() and not in_flight(p.name))
        order = {"master": 0, "buylist": 1, "status": 2}
        for path in sorted(files, key=lambda p: (order.get((classify(p.name) or ("?",))[0], 9), p.name)):
            if classify(path.name) is None:
                log.warning("%s: unrecognised file name, left in the spool", path.name)
                report.unrecognised.append(path.name)
                continue
            record = ingest_file(path, wrk, settings=s, ledger=ledger, disposal=disposal)
            if record is None:
                report.duplicates.append(path.name)
            else:
                report.loaded.append(record)
    return report
