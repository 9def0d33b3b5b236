"""Stream processor health: state, counters, the last hour as charts, events not windowed, instances."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from smartcar.settings import Settings, get_settings
from smartcar_ui.charts import line_chart
from smartcar_ui.formats import PREFIX, from_epoch, minute_labels
from smartcar_ui.render import cards, error, page, table

router = APIRouter()


def _charts(settings: Settings) -> str:
    from streaming.health import read_history

    history = read_history(settings, minutes=60)
    labels = minute_labels([m for m, _, _ in history])
    lag = line_chart("Consumer lag, last hour", labels, {"lag": [x for _, x, _ in history]},
                     x_label="minute (UTC)", y_label="events behind", unit=" events")  # fmt: skip
    rate = line_chart("Events per second, last hour", labels, {"events/s": [x for _, _, x in history]},
                      x_label="minute (UTC)", y_label="events/s", unit=" events/s")  # fmt: skip
    return rate + lag


def _not_windowed(h: dict) -> str:
    """Events stored (or dead-lettered) but not windowed, by reason: the loss is never silent."""
    from streaming.health import NOT_WINDOWED

    counts = h.get("not_windowed") or {}
    rows = [[label, counts.get(reason, 0)] for reason, label in NOT_WINDOWED.items()]
    classes = ["warning" if counts.get(reason) else "" for reason in NOT_WINDOWED]
    return "<h2>Events not windowed, by reason</h2>" + table(["reason", "events"], rows, classes, css="not-windowed")


def _instances(details: list[dict]) -> str:
    """One column per instance, one row per field: a few instances, many fields, so it fits the width."""
    keys = sorted({k for d in details for k in d} - {"instance", "alive"})
    rows = [["alive", *("yes" if d.get("alive") else "no" for d in details)]]
    rows += [[k, *(from_epoch(d.get(k)) if k == "last_heartbeat" else d.get(k) for d in details)] for k in keys]
    return "<h2>Instances</h2>" + table(["field", *(str(d.get("instance")) for d in details)], rows, css="instances",
                                        empty="no instance has sent a heartbeat")  # fmt: skip


@router.get("/stream", response_class=HTMLResponse)
def stream() -> str:
    from streaming.health import read_health

    settings = get_settings()
    try:
        h = read_health(settings)
    except Exception as exc:
        return page("Stream processor health", error(f"Redis is not reachable: {exc}"), active=PREFIX + "/stream")
    beat = h.get("last_heartbeat")
    age = f"{time.time() - beat:.0f} s ago" if beat else "never"
    head = cards(
        [
            ("state", "RUNNING" if h.get("alive") else "STALLED / STOPPED", "passed" if h.get("alive") else "failed"),
            ("instances", h.get("instances", 0), ""),
            ("consumer lag", h.get("lag", 0), ""),
            ("events/s", h.get("events_per_s", 0), ""),
            ("processed", h.get("processed", 0), ""),
            ("dead letters", h.get("dead_letters", 0), "warning" if h.get("dead_letters") else ""),
            ("alerts", h.get("alerts", 0), ""),
            ("last heartbeat", age, ""),
        ]
    )
    body = head + _charts(settings) + _not_windowed(h) + _instances(h.get("details") or [])
    return page("Stream processor health", body, active=PREFIX + "/stream")
