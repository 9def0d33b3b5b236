"""Validate one partition of one table with Great Expectations (pandas engine) and keep the report.

One GE file context lives under ``<home>/quality/gx``; its suites, validation definitions and
checkpoints are named after the table, its run names after the partition date, so the Data
Docs index lists every table's history date by date. A process-wide file lock serialises the
runs: suites carry per-date reconciliation counts, and GE's stores are plain files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from smartcar.lake.catalog import table_spec
from smartcar.quality.store import Check, Finding, QualityReport, quality_home, save_report
from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


class QualityError(RuntimeError):
    """A critical expectation failed; carries the report."""

    def __init__(self, report: QualityReport) -> None:
        super().__init__(report.summary())
        self.report = report


def gx_root(settings: Settings) -> Path:
    return quality_home(settings) / "gx"


def docs_site_dir(settings: Settings | None = None) -> Path:
    """Root of the Data Docs site (GE's default ``local_site`` of the context)."""
    return gx_root(settings or get_settings()) / "uncommitted" / "data_docs" / "local_site"


@contextlib.contextmanager
def _locked(settings: Settings | None) -> Iterator[None]:
    home = quality_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _context(settings: Settings | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=quality_home(settings))
    bars = context.variables.progress_bars
    enabled = bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)
    if enabled is not False:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def _findings(result) -> list[Finding]:
    out: list[Finding] = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        kwargs = cfg.kwargs or {}
        res = r.result or {}
        severity = getattr(cfg.severity, "value", cfg.severity) or "critical"
        notes = (cfg.meta or {}).get("notes") or cfg.description or ""
        if r.exception_info and r.exception_info.get("raised_exception"):
            notes = f"{notes} (error: {r.exception_info.get('exception_message')})"
        out.append(
            Finding(
                expectation=cfg.type,
                severity=str(severity),
                column=kwargs.get("column") or (",".join(kwargs["column_list"]) if "column_list" in kwargs else None),
                notes=notes,
                observed=res.get("observed_value"),
                unexpected_count=res.get("unexpected_count"),
                sample=[str(v) for v in (res.get("partial_unexpected_list") or [])[:10]],
            )
        )
    return out


def _checks(result) -> list[Check]:
    out: list[Check] = []
    for r in result.results:
        cfg = r.expectation_config
        kwargs = cfg.kwargs or {}
        column = kwargs.get("column") or (",".join(kwargs["column_list"]) if "column_list" in kwargs else None)
        severity = getattr(cfg.severity, "value", cfg.severity) or "critical"
        out.append(Check(expectation=cfg.type, column=column, severity=str(severity), success=bool(r.success)))
    return out


def validate(table: str, date: str | None, settings: Settings | None = None) -> QualityReport:
    """Run the suite of ``table`` on partition ``date``; store the report and rebuild its Data Docs.

    Never raises for bad data (see :func:`check`); the returned report says what failed.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from smartcar.lake.reader import pandas_partition
    from smartcar.quality.datadocs import make_offline
    from smartcar.quality.reconcile import reconciliation_rules
    from smartcar.quality.suites import build_rules

    s = settings or get_settings()
    spec = table_spec(table)
    started = time.monotonic()
    frame = pandas_partition(spec, date, s)
    rows = len(frame)
    expectations = build_rules(spec.name, date) + reconciliation_rules(spec.name, date, s)
    run_time = dt.datetime.now(dt.UTC)
    with _locked(s):
        context = _context(s)
        source = context.data_sources.add_or_update_pandas(name="warehouse_files")
        asset = next((a for a in source.assets if a.name == spec.name), None) or source.add_dataframe_asset(
            name=spec.name
        )
        batch = next((b for b in asset.batch_definitions if b.name == "partition"), None)
        batch = batch or asset.add_batch_definition_whole_dataframe("partition")
        suite = context.suites.add_or_update(gx.ExpectationSuite(name=spec.name, expectations=expectations))
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(name=spec.name, validation_definitions=[definition], result_format="BOOLEAN_ONLY")
        )
        run_id = RunIdentifier(run_name=date or "all", run_time=run_time)
        # Pass 1 only says pass/fail (fewer metrics); only when something failed,
        # pass 2 collects the counts and samples. Same run id: pass 2 replaces pass 1's result.
        outcome = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        if not outcome.success:
            details = context.checkpoints.add_or_update(
                gx.Checkpoint(name=f"{spec.name}__details", validation_definitions=[definition], result_format="BASIC")
            )
            outcome = details.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        identifier, result = next(iter(outcome.run_results.items()))
        context.build_data_docs(resource_identifiers=[identifier])
        site = docs_site_dir(s)
        page = Path("validations", *identifier.to_tuple()).with_suffix(".html")
        leftovers = make_offline(site, [site / page, site / "index.html"])
        if leftovers:
            log.warning("Data Docs still reference external assets: %s", leftovers)
    findings = _findings(result)
    status = "failed" if any(f.severity == "critical" for f in findings) else ("warning" if findings else "passed")
    stats = result.statistics
    report = QualityReport(
        table=spec.name,
        date=date or "all",
        run_time=run_time.strftime("%Y%m%dT%H%M%S.%fZ"),
        status=status,
        rows=rows,
        evaluated=int(stats["evaluated_expectations"]),
        successful=int(stats["successful_expectations"]),
        seconds=round(time.monotonic() - started, 2),
        failures=findings,
        docs_page=page.as_posix(),
        checks=_checks(result),
    )
    save_report(report, s)
    log.info("%s", report.summary())
    return report


def check(table: str, date: str | None, settings: Settings | None = None) -> QualityReport:
    """:func:`validate`, raising :class:`QualityError` when a critical expectation failed."""
    report = validate(table, date, settings)
    if report.status == "failed":
        raise QualityError(report)
    for finding in report.warnings:
        log.warning("data-quality warning on %s %s: %s", report.table, report.date, finding)
    return report


def _partition_mtime(table: str, date: str | None, settings: Settings | None) -> float:
    from smartcar.lake.partition_files import data_files

    files = data_files(table_spec(table).partition_path(date, settings))
    return max((f.stat().st_mtime for f in files), default=0.0)


def ensure_valid(table: str, date: str | None, settings: Settings) -> QualityReport:
    """Gate for consumers (the export): reuse the latest report if it is newer than the data, else validate.

    Raises :class:`QualityError` when the partition's latest validation has a critical failure.
    """
    from smartcar.quality.store import latest

    report = latest(table_spec(table).name, date or "all", settings)
    if report is not None:
        checked = dt.datetime.strptime(report.run_time, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=dt.UTC).timestamp()
        if checked >= _partition_mtime(table, date, settings):
            if report.status == "failed":
                raise QualityError(report)
            return report
    return check(table, date, settings)
