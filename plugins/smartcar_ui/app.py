"""The platform's own pages, a FastAPI app mounted by the Airflow api-server under ``/smartcar``.

Every route requires an Airflow login (the UI's JWT cookie, checked by Airflow's own ``get_user``),
renders plain HTML from the platform's read APIs and never touches the internet: the Data Docs
are served from the local site with their vendored assets.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import time
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from smartcar_ui.charts import bar_chart, status_grid
from smartcar_ui.render import Raw, error, link, page, table

PREFIX = "/smartcar"
ALERT_COLUMNS = ("rule", "car_number", "window_start", "window_end", "value", "count", "member", "detected_at")


async def require_login(request: Request) -> Any:
    """The logged-in Airflow user; anonymous browsers are sent to the Airflow login page."""
    from airflow.api_fastapi.core_api.security import get_user

    try:
        return await get_user(request, None, None)
    except HTTPException as exc:
        if exc.status_code in (401, 403):
            raise HTTPException(status_code=307, headers={"Location": f"/auth/login?next={request.url.path}"}) from exc
        raise


app = FastAPI(title="smartcar platform pages", dependencies=[Depends(require_login)], docs_url=None, redoc_url=None)


def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d")


@app.get("/", response_class=HTMLResponse)
def overview() -> str:
    body = (
        "<p>Pages of the smart-car telemetry platform (the original's Redis reader, Storm UI, "
        "Hue and Sqoop views, in one place).</p><ul>"
        f"<li>{link(PREFIX + '/speeding', 'Speeding cars of the latest alert day, and latest alerts')} (Redis)</li>"
        f"<li>{link(PREFIX + '/stream', 'Stream processor health')} (lag, events/s, dead letters)</li>"
        f"<li>{link(PREFIX + '/quality/', 'Data-quality reports')} (Great Expectations, Data Docs)</li>"
        f"<li>{link(PREFIX + '/exports', 'Latest export per date')} (operational database)</li></ul>"
    )
    return page("Smart-car platform", body)


def _epoch(value: object) -> object:
    """Epoch seconds (as Redis keeps them) -> UTC datetime for display."""
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC).replace(tzinfo=None)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def _alert_rows(alerts: list[dict[str, Any]]) -> list[list[object]]:
    rows = []
    for a in alerts:
        a = {**a, "detected_at": _epoch(a.get("detected_at"))}
        car = a.get("car") or a.get("car_number") or ""
        row: list[object] = [a.get(c) for c in ALERT_COLUMNS]
        if car:
            row[1] = link(f"{PREFIX}/speeding?car={car}", car)
        rows.append(row)
    return rows


def _speeding_charts(members: list[str]) -> str:
    from smartcar import speeding_stats

    if not members:
        return ""
    hourly = bar_chart("speeding windows per hour (event time)", [f"{h:02d}" for h in range(24)],
                       speeding_stats.alerts_per_hour(members))  # fmt: skip
    try:
        areas = speeding_stats.cars_per_area(members)
        by_area = bar_chart("speeding cars per area", list(areas), list(areas.values()), " cars")
    except Exception as exc:  # HBase down: the hourly chart still shows
        by_area = Raw(error(f"areas need HBase, which is not reachable: {exc}"))
    return f'<div class="charts">{hourly}{by_area}</div>'


@app.get("/speeding", response_class=HTMLResponse)
def speeding(date: str | None = None, car: str | None = None, limit: int = 50) -> str:
    from smartcar import alerts_store

    try:  # opens on the newest alert's day: simulated and replayed days are rarely today
        day = date or alerts_store.latest_alert_day() or _today()
    except Exception:  # Redis down: the page says so below
        day = _today()
    form = (
        f'<form method="get">Date <input name="date" value="{day}" size="8" pattern="[0-9]{{8}}"> '
        '<button type="submit">Show</button></form>'
    )
    try:
        members = alerts_store.speeding_cars(day)
        cars: dict[str, list[str]] = {}
        for m in members:
            number, _, stamp = m.partition("-")
            cars.setdefault(number, []).append(stamp)
        body = form + f"<h2>Speeding cars on {day}: {len(cars)}</h2>" + _speeding_charts(members)
        body += table(
            ["car", "alerts", "first", "last"],
            [[link(f"{PREFIX}/speeding?car={c}", c), len(s), min(s), max(s)] for c, s in sorted(cars.items())],
        )
        if car:
            body += f"<h2>Alerts of car {car}</h2>"
            body += table(list(ALERT_COLUMNS), _alert_rows(alerts_store.alerts_for_car(car, limit=limit)))
        body += f"<h2>Latest alerts (all rules, newest first, {limit})</h2>"
        body += table(list(ALERT_COLUMNS), _alert_rows(alerts_store.latest_alerts(limit)))
    except Exception as exc:  # Redis down must not take the page down
        body = form + error(f"Redis is not reachable: {exc}")
    return page("Speeding cars and alerts", body)


def _stream_charts() -> str:
    from smartcar.stream_health import read_history

    history = read_history(minutes=60)
    if not history:
        return "<p class='muted'>No heartbeat in the last hour: nothing to chart.</p>"
    labels = [dt.datetime.fromtimestamp(m, dt.UTC).strftime("%H:%M") for m, _, _ in history]
    lag = bar_chart("consumer lag, last hour (per minute, UTC)", labels, [x for _, x, _ in history], " events", bar=10)
    rate = bar_chart("events/s, last hour (per minute, UTC)", labels, [x for _, _, x in history], " events/s", bar=10)
    return f'<div class="charts">{lag}{rate}</div>'


def _not_windowed(h: dict) -> str:
    """Events stored (or dead-lettered) but not windowed, by reason: the loss is never silent."""
    from smartcar.stream_health import NOT_WINDOWED

    counts = h.get("not_windowed") or {}
    rows = [[label, counts.get(reason, 0)] for reason, label in NOT_WINDOWED.items()]
    classes = ["warning" if counts.get(reason) else "" for reason in NOT_WINDOWED]
    return "<h2>Events not windowed, by reason</h2>" + table(["reason", "events"], rows, classes)


@app.get("/stream", response_class=HTMLResponse)
def stream() -> str:
    from smartcar.stream_health import read_health

    try:
        h = read_health()
    except Exception as exc:
        return page("Stream processor health", error(f"Redis is not reachable: {exc}"))
    beat = h.get("last_heartbeat")
    age = f"{time.time() - beat:.0f} s ago" if beat else "never"
    state = "RUNNING" if h.get("alive") else "STALLED / STOPPED"
    boxes = "".join(
        f'<div class="box {cls}"><b>{value}</b>{label}</div>'
        for label, value, cls in (
            ("state", state, "passed" if h.get("alive") else "failed"),
            ("instances", h.get("instances", 0), ""),
            ("consumer lag", h.get("lag", 0), ""),
            ("events/s", h.get("events_per_s", 0), ""),
            ("processed", h.get("processed", 0), ""),
            ("dead letters", h.get("dead_letters", 0), "warning" if h.get("dead_letters") else ""),
            ("alerts", h.get("alerts", 0), ""),
            ("last heartbeat", age, ""),
        )
    )
    details = h.get("details") or []
    keys = sorted({k for d in details for k in d} - {"instance", "alive"})
    body = (
        boxes
        + _not_windowed(h)
        + _stream_charts()
        + "<h2>Instances</h2>"
        + table(
            ["instance", "alive", *keys],
            [
                [
                    d.get("instance"),
                    d.get("alive"),
                    *(_epoch(d[k]) if k == "last_heartbeat" else d.get(k) for k in keys),
                ]
                for d in details
            ],
        )
    )
    return page("Stream processor health", body)


@app.get("/quality/", response_class=HTMLResponse)
def quality_index() -> str:
    from smartcar.quality.store import index

    reports = index()
    tables = sorted({t for per_date in reports.values() for t in per_date})
    rows, classes = [], []
    for date, per_table in reports.items():
        row: list[object] = [date]
        worst = "passed"
        for t in tables:
            r = per_table.get(t)
            if r is None:
                row.append(None)
                continue
            row.append(
                Raw(
                    link(f"{PREFIX}/quality/report/{t}/{date}", f"{r.status} {r.successful}/{r.evaluated}")
                    + " ("
                    + link(f"{PREFIX}/quality/history/{t}/{date}", "history")
                    + ")"
                )
            )
            worst = (
                "failed" if "failed" in (worst, r.status) else ("warning" if "warning" in (worst, r.status) else worst)
            )
        rows.append(row)
        classes.append(worst)
    dates = sorted(reports)[-60:]  # the last 60 dates with a report, oldest on the left
    grid = status_grid(
        "checks per table and date (latest run)",
        tables,
        dates,
        {(t, d): r.status for d, per in reports.items() for t, r in per.items()},
    )
    body = (
        f"<p>Latest Great Expectations run per table and date; {link(PREFIX + '/quality/docs/index.html', 'Data Docs index')}"
        f" lists every run.</p>{grid}" + table(["date", *tables], rows, classes)
    )
    failing = [(d, t, r) for d, per in reports.items() for t, r in per.items() if r.status != "passed"]
    if failing:
        body += "<h2>Failed and warning expectations</h2>"
        body += table(
            ["date", "table", "severity", "expectation", "column", "observed", "unexpected", "sample", "rule"],
            [
                [
                    d,
                    link(f"{PREFIX}/quality/report/{t}/{d}", t),
                    f.severity,
                    f.expectation,
                    f.column,
                    f.observed,
                    f.unexpected_count,
                    ", ".join(f.sample[:5]),
                    f.notes,
                ]
                for d, t, r in failing
                for f in r.failures
            ],
        )
    return page("Data quality", body)


@app.get("/quality/history/{table_name}/{date}", response_class=HTMLResponse)
def quality_history(table_name: str, date: str) -> str:
    from smartcar.quality.store import history

    runs = list(reversed(history(table_name, date)))
    rows = [
        [
            r.run_time,
            r.status,
            f"{r.successful}/{r.evaluated}",
            r.rows,
            r.seconds,
            ", ".join(f"{f.expectation} {f.column or ''}".strip() for f in r.failures) or None,
            link(f"{PREFIX}/quality/docs/{r.docs_page}", "Data Docs") if r.docs_page else None,
        ]
        for r in runs
    ]
    body = table(["run (UTC)", "status", "passed", "rows", "seconds", "failed expectations", "report"], rows,
                 [r.status for r in runs])  # fmt: skip
    return page(f"Quality history: {table_name} {date}", body)


@app.get("/quality/report/{table_name}/{date}")
def quality_report(table_name: str, date: str) -> RedirectResponse:
    from smartcar.quality.store import latest

    report = latest(table_name, date)
    if report is None or not report.docs_page:
        raise HTTPException(status_code=404, detail=f"no quality report for {table_name} {date}")
    return RedirectResponse(f"{PREFIX}/quality/docs/{report.docs_page}", status_code=302)


@app.get("/quality/docs/{path:path}")
def data_docs(path: str) -> FileResponse:
    from smartcar.quality.runner import docs_site_dir

    root = docs_site_dir().resolve()
    target = (root / (path or "index.html")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise HTTPException(status_code=404, detail="not found")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".woff2":
        media_type = "font/woff2"
    return FileResponse(Path(target), media_type=media_type)


@app.get("/exports", response_class=HTMLResponse)
def exports(limit: int = 60) -> str:
    from smartcar.clients import export_engine
    from smartcar.export.loader import latest_exports
    from smartcar.settings import get_settings

    url = get_settings().export_db_url
    try:
        runs = latest_exports(export_engine(), limit)
    except Exception as exc:
        return page("Exports", error(f"export database not reachable or not migrated yet: {exc}"))
    rows = [
        [
            r["biz_date"],
            r["table_name"],
            r["source_rows"],
            r["target_rows"],
            Raw("yes" if r["source_rows"] == r["target_rows"] else "<b>NO</b>"),
            r["deleted_rows"],
            r["status"],
            r["started_at"],
            r["seconds"],
        ]
        for r in runs
    ]
    target = url.split("@")[-1]
    body = f"<p>Target: <code>{target}</code> (credentials hidden).</p>" + table(
        [
            "date",
            "table",
            "source rows",
            "target rows",
            "reconciled",
            "replaced rows",
            "status",
            "started (UTC)",
            "seconds",
        ],
        rows,
        ["passed" if r["source_rows"] == r["target_rows"] else "failed" for r in runs],
    )
    return page("Latest export per date", body)
