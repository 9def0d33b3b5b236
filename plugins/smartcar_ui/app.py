"""The platform's own pages, a FastAPI app mounted by the Airflow api-server under ``/smartcar``.

Every route requires an Airflow login (the UI's JWT cookie, checked by Airflow's own ``get_user``)
and only reads: the pages render HTML from the platform's read APIs and Airflow's metadata, filtered
by the user's DAG permissions, and never touch the internet (the Data Docs are served from the
local site with their vendored assets). One module per page; this one wires them.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from smartcar_ui.exports_page import router as exports_router
from smartcar_ui.login import require_login
from smartcar_ui.overview_page import router as overview_router
from smartcar_ui.quality_pages import router as quality_router
from smartcar_ui.speeding_page import router as speeding_router
from smartcar_ui.stream_page import router as stream_router

app = FastAPI(title="smartcar platform pages", dependencies=[Depends(require_login)], docs_url=None, redoc_url=None)
for router in (overview_router, speeding_router, stream_router, quality_router, exports_router):
    app.include_router(router)
