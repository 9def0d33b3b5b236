"""Validation reports kept per table and date under ``<home>/quality``.

GE keeps its full results in its own store (and renders them as Data Docs); this store keeps a
small JSON summary per run, ``results/<table>/<date>/<run_time>.json``, that the UI, the
operator's extra link and the notifications read without importing GE.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from smartcar.core.fileio import atomic_write_text
from smartcar.settings import Settings, get_settings

NO_PARTITION = "all"
REPORTS_XCOM_KEY = "quality_reports"
"""XCom key under which a validation task lists the reports it made or reused (the run's quality tab)."""


@dataclass
class Finding:
    """One failed expectation."""

    expectation: str
    severity: str
    column: str | None
    notes: str
    observed: object = None
    unexpected_count: int | None = None
    sample: list = field(default_factory=list)


@dataclass
class Check:
    """One expectation of a run, passed or not (the quality tab of a DAG run lists them all)."""

    expectation: str
    column: str | None
    severity: str
    success: bool


@dataclass
class QualityReport:
    table: str
    date: str
    run_time: str
    status: str
    """``passed``, ``warning`` (only warnings failed) or ``failed`` (a critical expectation failed)."""
    rows: int
    evaluated: int
    successful: int
    seconds: float
    failures: list[Finding] = field(default_factory=list)
    docs_page: str | None = None
    """Path of the Data Docs page relative to the Data Docs site root."""
    checks: list[Check] = field(default_factory=list)
    """Every expectation evaluated, in suite order (empty in reports written before it was kept)."""

    @property
    def critical(self) -> list[Finding]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.failures if f.severity != "critical"]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> QualityReport:
        failures = [Finding(**f) for f in data.get("failures", [])]
        checks = [Check(**c) for c in data.get("checks", [])]
        return cls(**{**data, "failures": failures, "checks": checks})

    def summary(self) -> str:
        head = f"{self.table} {self.date}: {self.status.upper()} ({self.successful}/{self.evaluated} expectations, "
        head += f"{self.rows} rows, {self.seconds:.1f}s)"
        lines = [head]
        for f in self.failures:
            col = f" {f.column}" if f.column else ""
            seen = f"observed {f.observed!r}" if f.observed is not None else f"{f.unexpected_count} unexpected"
            sample = f", e.g. {', '.join(f.sample[:5])}" if f.sample else ""
            lines.append(f"  [{f.severity}] {f.expectation}{col}: {f.notes} ({seen}{sample})")
        return "\n".join(lines)


def quality_home(settings: Settings) -> Path:
    return settings.home / "quality"


def results_dir(settings: Settings | None = None) -> Path:
    return quality_home(settings or get_settings()) / "results"


def save_report(report: QualityReport, settings: Settings) -> Path:
    """Write the report atomically next to the earlier runs of the same table and date."""
    path = results_dir(settings) / report.table / (report.date or NO_PARTITION) / f"{report.run_time}.json"
    atomic_write_text(path, json.dumps(report.to_dict(), indent=2, default=str, ensure_ascii=False))
    return path


def history(table: str, date: str, settings: Settings | None = None) -> list[QualityReport]:
    """Every run of ``table`` for ``date``, oldest first."""
    folder = results_dir(settings) / table / (date or NO_PARTITION)
    return [QualityReport.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]


def load(table: str, date: str, run_time: str, settings: Settings | None = None) -> QualityReport | None:
    """The report of one run (as named in a validation task's ``quality_reports`` XCom), if still kept."""
    root = results_dir(settings).resolve()
    path = (root / table / (date or NO_PARTITION) / f"{run_time}.json").resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return QualityReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def latest(table: str, date: str, settings: Settings | None = None) -> QualityReport | None:
    runs = history(table, date, settings)
    return runs[-1] if runs else None


def index(settings: Settings | None = None) -> dict[str, dict[str, QualityReport]]:
    """``{date: {table: latest report}}`` over everything stored, newest date first."""
    out: dict[str, dict[str, QualityReport]] = {}
    root = results_dir(settings)
    if not root.is_dir():
        return out
    for table_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for date_dir in sorted(p for p in table_dir.iterdir() if p.is_dir()):
            runs = sorted(date_dir.glob("*.json"))
            if runs:
                report = QualityReport.from_dict(json.loads(runs[-1].read_text(encoding="utf-8")))
                out.setdefault(date_dir.name, {})[table_dir.name] = report
    return dict(sorted(out.items(), reverse=True))
