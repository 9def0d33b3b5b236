"""Speeding cars and alerts of one day (Redis): charts first, the long lists paged or collapsed."""

from __future__ import annotations

import math
from collections import Counter
from html import escape
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from smartcar.core.business_dates import BusinessDate
from smartcar.settings import Settings, get_settings
from smartcar_ui.charts import bar_chart, ranked_bars
from smartcar_ui.formats import PREFIX, from_epoch, today
from smartcar_ui.render import Raw, cards, error, link, page, pager, table

router = APIRouter()
ALERT_COLUMNS = ("rule", "car_number", "window_start", "window_end", "value", "count", "member", "detected_at")
CARS_PER_PAGE = 25
TOP_CARS = 10


def _alert_rows(alerts: list[dict[str, Any]]) -> list[list[object]]:
    rows = []
    for a in alerts:
        a = {**a, "detected_at": from_epoch(a.get("detected_at"))}
        car = a.get("car") or a.get("car_number") or ""
        row: list[object] = [a.get(c) for c in ALERT_COLUMNS]
        if car:
            row[1] = link(f"{PREFIX}/speeding?car={car}", car)
        rows.append(row)
    return rows


def _charts(members: list[str], per_car: Counter[str], settings: Settings) -> str:
    from streaming import speeding_stats

    hourly = bar_chart(
        "Speeding windows per hour of the day",
        [f"{h:02d}" for h in range(24)],
        speeding_stats.alerts_per_hour(members),
        x_label="hour of the event time (UTC)",
        y_label="speeding windows",
        unit=" windows",
    )
    top = per_car.most_common(TOP_CARS)
    ranked = ranked_bars(
        f"Top {len(top)} cars by speeding windows",
        [c for c, _ in top],
        [n for _, n in top],
        x_label="speeding windows",
        y_label="car",
        unit=" windows",
    )
    try:
        areas = speeding_stats.cars_per_area(members, settings)
        by_area = bar_chart("Speeding cars per area", list(areas), list(areas.values()),
                            x_label="area code", y_label="cars", unit=" cars")  # fmt: skip
    except Exception as exc:  # HBase down: the other charts still show
        by_area = Raw(error(f"the area chart needs HBase, which is not reachable: {exc}"))
    return hourly + ranked + by_area


@router.get("/speeding", response_class=HTMLResponse)
def speeding(
    date: str | None = None, car: str | None = None, limit: int = 50, page_no: int = Query(1, alias="page")
) -> str:
    from streaming import alerts_store

    settings = get_settings()
    try:  # the query string, parsed once: a bad date is said, never echoed into the page as markup
        chosen = BusinessDate(date) if date else None
        problem = ""
    except ValueError as exc:
        chosen, problem = None, error(str(exc))
    try:  # opens on the newest alert's day: simulated and replayed days are rarely today
        day = chosen or BusinessDate(alerts_store.latest_alert_day(settings) or today())
    except Exception:  # Redis down: the page says so below
        day = BusinessDate(today())
    form = (
        f'<form method="get" class="inline">Date <input name="date" value="{day}" size="8" pattern="[0-9]{{8}}"> '
        '<button type="submit">Show</button></form>'
    ) + problem
    try:
        members = alerts_store.speeding_cars(day, settings)
        stamps: dict[str, list[str]] = {}
        for m in members:
            number, _, stamp = m.partition("-")
            stamps.setdefault(number, []).append(stamp)
        per_car = Counter({c: len(s) for c, s in stamps.items()})
        body = form + f"<h2>Speeding cars on {day}: {len(stamps)}</h2>"
        body += cards(
            [
                ("speeding cars", len(stamps), "warning" if stamps else ""),
                ("speeding windows (30 s, avg > limit)", len(members), ""),
                ("most windows of one car", per_car.most_common(1)[0][1] if per_car else 0, ""),
            ]
        )
        if car:
            body += f"<h2>Alerts of car {escape(car)}</h2>"
            body += table(list(ALERT_COLUMNS), _alert_rows(alerts_store.alerts_for_car(car, settings, limit=limit)))
        if members:
            body += _charts(members, per_car, settings)
        pages = max(1, math.ceil(len(stamps) / CARS_PER_PAGE))
        page_no = min(max(page_no, 1), pages)
        ranked = sorted(stamps.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        shown = ranked[(page_no - 1) * CARS_PER_PAGE : page_no * CARS_PER_PAGE]
        body += f"<h2>Speeding cars, most windows first ({CARS_PER_PAGE} per page)</h2>"
        body += table(
            ["car", "speeding windows", "first window end", "last window end"],
            [[link(f"{PREFIX}/speeding?date={day}&car={c}", c), len(s), min(s), max(s)] for c, s in shown],
            css="cars",
        )
        body += pager(PREFIX + "/speeding", {"date": day, "car": car}, page_no, pages)
        latest = _alert_rows(alerts_store.latest_alerts(limit, settings))
        body += (
            f"<details><summary>Latest alerts of every rule and day (newest first, {len(latest)})</summary>"
            + table(list(ALERT_COLUMNS), latest)
            + "</details>"
        )
    except Exception as exc:  # Redis down must not take the page down
        body = form + error(f"Redis is not reachable: {exc}")
    return page("Speeding cars and alerts", body, active=PREFIX + "/speeding")
