"""The overview: is everything all right? Services, the stream, and which dates went through which stage."""

from __future__ import annotations

import math
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from smartcar.settings import Settings, get_settings
from smartcar_ui.charts import line_chart
from smartcar_ui.formats import PREFIX, minute_labels, run_href, today
from smartcar_ui.login import require_login
from smartcar_ui.pipeline_matrix import QUALITY, STAGES, Cell, build
from smartcar_ui.render import Raw, cards, error, link, page, pager, table, ui_link

router = APIRouter()
DATES_PER_PAGE = 14


def _services(settings: Settings) -> str:
    from smartcar.runtime.supervisor import status

    try:
        rows = status(settings)
    except Exception as exc:  # the overview must render even when the runtime cannot be asked
        return error(f"service status unavailable: {exc}")
    body = table(
        ["service", "endpoint", "health", "run by", "memory MiB"],
        [
            [
                r.name,
                Raw(f"<code>{escape(r.host)}:{r.port}</code>"),
                Raw(
                    f'<span class="badge {"success" if r.healthy else "failed"}">{"up" if r.healthy else "DOWN"}</span>'
                ),
                "smartcar up" if r.managed else "external",
                round(r.rss_bytes / 2**20) if r.pids else None,
            ]
            for r in rows
        ],
        css="services",
    )
    down = [r.name for r in rows if not r.healthy]
    total = sum(r.rss_bytes for r in rows) / 2**20
    headline = cards(
        [
            ("services up", f"{len(rows) - len(down)} / {len(rows)}", "failed" if down else "passed"),
            ("memory of managed services", f"{total:,.0f} MiB", ""),
        ]
    )
    return headline + body


def _stream(settings: Settings) -> str:
    from streaming import alerts_store
    from streaming.health import read_health, read_history

    try:
        h = read_health(settings)
        history = read_history(settings, minutes=60)
        day = alerts_store.latest_alert_day(settings)
        latest_cars = {m.partition("-")[0] for m in alerts_store.speeding_cars(day, settings)} if day else set()
        today_windows = len(alerts_store.speeding_cars(today(), settings))
    except Exception as exc:
        return error(f"Redis is not reachable: {exc}")
    head = cards(
        [
            ("stream processor", "RUNNING" if h.get("alive") else "STOPPED", "passed" if h.get("alive") else "failed"),
            ("events/s", h.get("events_per_s", 0), ""),
            ("consumer lag (events)", h.get("lag", 0), "warning" if h.get("lag", 0) > 10_000 else ""),
            ("dead letters", h.get("dead_letters", 0), "warning" if h.get("dead_letters") else ""),
            ("speeding windows today (UTC)", today_windows, ""),
            (f"speeding cars on {day or '-'} (latest alert day)", len(latest_cars), ""),
        ]
    )
    labels = minute_labels([m for m, _, _ in history])
    rate = line_chart("Events per second, last hour", labels, {"events/s": [x for _, _, x in history]},
                      x_label="minute (UTC)", y_label="events/s", unit=" events/s", height=220)  # fmt: skip
    lag = line_chart("Consumer lag, last hour", labels, {"lag": [x for _, x, _ in history]},
                     x_label="minute (UTC)", y_label="events behind", unit=" events", height=220)  # fmt: skip
    more = link(PREFIX + "/stream", "stream health details")
    return head + rate + lag + f"<p>{more}</p>"


def _cell_html(cell: Cell | None) -> Raw:
    if cell is None:
        return Raw('<td class="none" title="no run">–</td>')
    label = {"success": "✓ success", "failed": "✗ failed", "upstream_failed": "✗ upstream failed"}.get(
        cell.state, cell.state.replace("_", " ")
    )
    if cell.run_id and cell.dag_id:
        inner = ui_link(run_href(cell.dag_id, cell.run_id), label)
        title = f"{cell.dag_id} {cell.run_id}"
    else:
        inner = Raw(escape(label))
        title = "latest validation of the date's tables"
    return Raw(f'<td class="{escape(cell.state)}" title="{escape(title, quote=True)}">{inner}</td>')


def _matrix(user: Any, page_no: int, settings: Settings) -> str:
    from smartcar.quality.store import index
    from smartcar_ui.airflow_reads import readable_dag_ids, recent_runs

    try:
        allowed = readable_dag_ids(user, [s.dag_id for s in STAGES if s.dag_id])
        runs = {
            s.name: recent_runs(s.dag_id, [s.dates_task] if s.dates_task else []) for s in STAGES if s.dag_id in allowed
        }
    except Exception as exc:
        return error(f"Airflow's metadata database could not be read: {exc}")
    quality = {d: [r.status for r in per.values()] for d, per in index(settings).items()}
    dates, cells = build(runs, quality)
    pages = max(1, math.ceil(len(dates) / DATES_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    shown = dates[(page_no - 1) * DATES_PER_PAGE : page_no * DATES_PER_PAGE]
    head = "".join(f"<th>{escape(s.name)}</th>" for s in STAGES)
    rows = []
    for date in shown:
        tds = []
        for s in STAGES:
            c = cells.get((date, s.name))
            if s.name == QUALITY and c is not None:
                inner = link(f"{PREFIX}/quality/?date={date}", c.state)
                tds.append(
                    f'<td class="{escape(c.state)}" title="latest validation of the date\'s tables">{inner}</td>'
                )
            else:
                tds.append(_cell_html(c))
        rows.append(f'<tr data-date="{date}"><td>{date}</td>{"".join(tds)}</tr>')
    if not rows:
        rows.append(f'<tr><td colspan="{len(STAGES) + 1}" class="muted">no DAG run yet</td></tr>')
    hidden = sorted({s.name for s in STAGES if s.dag_id and s.dag_id not in allowed})
    note = f'<p class="muted">Not shown (no permission): {", ".join(hidden)}.</p>' if hidden else ""
    return (
        '<p class="muted">Each cell: the newest DAG run that built that business date (click it to open the run).'
        " Monthly stages show the run of the date's month.</p>"
        f'<div class="table-wrap"><table class="matrix"><thead><tr><th>business date</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>" + pager(PREFIX + "/", {}, page_no, pages) + note
    )


@router.get("/", response_class=HTMLResponse)
def overview(user: Annotated[Any, Depends(require_login)], page_no: int = Query(1, alias="page")) -> str:
    settings = get_settings()
    body = (
        "<h2>Pipeline: business dates by stage</h2>"
        + _matrix(user, page_no, settings)
        + "<h2>Stream</h2>"
        + _stream(settings)
        + "<h2>Services</h2>"
        + _services(settings)
    )
    return page("Smart-car platform overview", body, active=PREFIX + "/")
