"""The latest export per business date and table, reconciled (source rows = target rows)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from smartcar_ui.formats import PREFIX
from smartcar_ui.render import Raw, badge, error, page, table

router = APIRouter()


@router.get("/exports", response_class=HTMLResponse)
def exports(limit: int = 60) -> str:
    from smartcar.core.clients import export_engine
    from smartcar.export.loader import latest_exports
    from smartcar.settings import get_settings

    settings = get_settings()
    url = settings.export_db_url
    try:
        runs = latest_exports(export_engine(settings), limit)
    except Exception as exc:
        return page(
            "Exports", error(f"export database not reachable or not migrated yet: {exc}"), active=PREFIX + "/exports"
        )
    rows = [
        [
            r["biz_date"],
            r["table_name"],
            r["source_rows"],
            r["target_rows"],
            badge("success", "yes") if r["source_rows"] == r["target_rows"] else badge("failed", "NO"),
            r["deleted_rows"],
            r["status"],
            r["started_at"],
            r["seconds"],
        ]
        for r in runs
    ]
    target = url.split("@")[-1]
    headers = ["date", "table", "source rows", "target rows", "reconciled", "replaced rows", "status", "started (UTC)",
               "seconds"]  # fmt: skip
    body = Raw(f"<p>Target: <code>{target}</code> (credentials hidden).</p>") + table(headers, rows, css="exports")
    return page("Latest export per date", body, active=PREFIX + "/exports")
