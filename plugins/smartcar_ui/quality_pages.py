"""Data quality: the index per table and date, a partition's history, Data Docs, and a DAG run's tab."""

from __future__ import annotations

import math
import mimetypes
from html import escape
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from smartcar.settings import get_settings
from smartcar_ui.charts import status_grid
from smartcar_ui.formats import PREFIX, run_href
from smartcar_ui.login import require_login
from smartcar_ui.render import Raw, badge, link, page, pager, table, ui_link

router = APIRouter()
GRID_DATES = 30
DATES_PER_PAGE = 10
ACTIVE = PREFIX + "/quality/"


def _report_links(table_name: str, date: str) -> Raw:
    return Raw(
        link(f"{PREFIX}/quality/report/{table_name}/{date}", "Data Docs")
        + " · "
        + link(f"{PREFIX}/quality/history/{table_name}/{date}", "history")
    )


def _failures(failing: list[tuple[str, str, Any]]) -> str:
    return table(
        ["date", "table", "severity", "expectation", "column", "observed", "unexpected", "sample", "rule"],
        [
            [
                d,
                link(f"{PREFIX}/quality/report/{t}/{d}", t),
                f.severity,
                f.expectation,
                f.column,
                None if f.observed is None else str(f.observed),
                f.unexpected_count,
                ", ".join(f.sample[:5]),
                f.notes,
            ]
            for d, t, r in failing
            for f in r.failures
        ],
        css="failures",
    )


@router.get("/quality/", response_class=HTMLResponse)
def quality_index(date: str | None = None, page_no: int = Query(1, alias="page")) -> str:
    from smartcar.quality.store import index

    reports = index(get_settings())
    tables = sorted({t for per_date in reports.values() for t in per_date})
    grid_dates = sorted(reports)[-GRID_DATES:]  # oldest on the left
    grid = status_grid(
        f"Checks per table and date (latest run, last {len(grid_dates)} dates)",
        tables,
        grid_dates,
        {(t, d): r.status for d, per in reports.items() for t, r in per.items()},
        x_label="business date",
        y_label="table",
    )
    dates = [d for d in reports if d == date] if date else list(reports)
    pages = max(1, math.ceil(len(dates) / DATES_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    shown = dates[(page_no - 1) * DATES_PER_PAGE : page_no * DATES_PER_PAGE]
    rows, classes = [], []
    for d in shown:
        for t, r in reports[d].items():
            rows.append(
                [d, t, badge(r.status), f"{r.successful}/{r.evaluated}", r.rows, r.run_time, _report_links(t, d)]
            )
            classes.append("")
    heading = f"Reports of {date}" if date else f"Reports, newest date first ({DATES_PER_PAGE} dates per page)"
    body = (
        f"<p>Latest Great Expectations run per table and date; the {link(PREFIX + '/quality/docs/index.html', 'Data Docs index')}"
        f" lists every run. {link(ACTIVE, 'All dates') if date else ''}</p>{grid}<h2>{escape(heading)}</h2>"
        + table(
            ["date", "table", "status", "expectations passed", "rows", "run (UTC)", "report"],
            rows,
            css="reports",
        )
        + pager(ACTIVE, {"date": date}, page_no, pages)
    )
    failing = [(d, t, r) for d in shown for t, r in reports[d].items() if r.status != "passed"]
    if failing:
        body += "<h2>Failed and warning expectations</h2>" + _failures(failing)
    return page("Data quality", body, active=ACTIVE)


@router.get("/quality/history/{table_name}/{date}", response_class=HTMLResponse)
def quality_history(table_name: str, date: str) -> str:
    from smartcar.quality.store import history

    runs = list(reversed(history(table_name, date, get_settings())))
    rows = [
        [
            r.run_time,
            badge(r.status),
            f"{r.successful}/{r.evaluated}",
            r.rows,
            r.seconds,
            ", ".join(f"{f.expectation} {f.column or ''}".strip() for f in r.failures) or None,
            link(f"{PREFIX}/quality/docs/{r.docs_page}", "Data Docs") if r.docs_page else None,
        ]
        for r in runs
    ]
    headers = ["run (UTC)", "status", "passed", "rows", "seconds", "failed expectations", "report"]
    return page(f"Quality history: {table_name} {date}", table(headers, rows), active=ACTIVE)


def _run_report(report: Any) -> str:
    """One validation of a run: every expectation, passed or failed, the failed ones with their values."""
    failures = {(f.expectation, f.column): f for f in report.failures}
    checks = report.checks or [f for f in report.failures]  # reports written before checks were kept
    rows, classes = [], []
    for c in checks:
        f = failures.get((c.expectation, c.column))
        ok = getattr(c, "success", False) and f is None
        rows.append([
            c.expectation, c.column, c.severity, badge("success" if ok else "failed", "passed" if ok else "FAILED"),
            None if f is None or f.observed is None else str(f.observed),
            None if f is None else f.unexpected_count,
            None if f is None else ", ".join(f.sample[:10]),
        ])  # fmt: skip
        classes.append("" if ok else ("failed" if c.severity == "critical" else "warning"))
    docs = link(f"{PREFIX}/quality/docs/{report.docs_page}", "Data Docs report") if report.docs_page else ""
    return (
        f'<h2 class="report" data-table="{escape(report.table, quote=True)}">{escape(report.table)} · {escape(report.date)} · '
        f"{badge(report.status)}</h2><p>{report.successful} of {report.evaluated} expectations passed on "
        f"{report.rows:,} rows, run {escape(report.run_time)} · {docs}</p>"
        + table(
            ["expectation", "column", "severity", "result", "observed", "unexpected", "failed values (sample)"],
            rows,
            classes,
            css="checks",
        )
    )


@router.get("/quality/run/{dag_id}/{run_id}", response_class=HTMLResponse)
def quality_of_run(dag_id: str, run_id: str, user: Annotated[Any, Depends(require_login)]) -> str:
    """The "Data quality" tab of a DAG run: the checks its validation tasks made (or reused)."""
    from smartcar.quality.store import REPORTS_XCOM_KEY, load
    from smartcar_ui.airflow_reads import can_read_run, run_quality_refs, run_state

    if not can_read_run(user, dag_id):
        raise HTTPException(status_code=403, detail=f"no permission to read the runs of {dag_id}")
    state = run_state(dag_id, run_id)
    if state is None:
        raise HTTPException(status_code=404, detail=f"no run {run_id} of {dag_id}")
    refs = run_quality_refs(dag_id, run_id, REPORTS_XCOM_KEY)
    head = f"<p>Run {ui_link(run_href(dag_id, run_id), run_id)} of <code>{escape(dag_id)}</code>: {badge(state)}</p>"
    if not refs:
        body = head + (
            "<p class='muted'>No validation task of this run has reported yet (the DAG may have none, or they have not"
            f" run). Every validation is listed in {link(ACTIVE, 'Data quality')}.</p>"
        )
        return page("Data quality of this run", body, nav=False)
    parts, settings = [head], get_settings()
    for task_id, values in refs:
        parts.append(f"<h2>Task <code>{escape(task_id)}</code></h2>")
        for ref in values:
            report = load(ref["table"], ref["date"], ref["run_time"], settings)
            if report is None:
                parts.append(f"<p class='muted'>{escape(ref['table'])} {escape(ref['date'])}: {ref.get('status')}, "
                             "its report is no longer kept.</p>")  # fmt: skip
            else:
                parts.append(_run_report(report))
    return page("Data quality of this run", "".join(parts), nav=False)


@router.get("/quality/report/{table_name}/{date}")
def quality_report(table_name: str, date: str) -> RedirectResponse:
    from smartcar.quality.store import latest

    report = latest(table_name, date, get_settings())
    if report is None or not report.docs_page:
        raise HTTPException(status_code=404, detail=f"no quality report for {table_name} {date}")
    return RedirectResponse(f"{PREFIX}/quality/docs/{report.docs_page}", status_code=302)


@router.get("/quality/docs/{path:path}")
def data_docs(path: str) -> FileResponse:
    from smartcar.quality.runner import docs_site_dir

    root = docs_site_dir(get_settings()).resolve()
    target = (root / (path or "index.html")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise HTTPException(status_code=404, detail="not found")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".woff2":
        media_type = "font/woff2"
    return FileResponse(Path(target), media_type=media_type)
