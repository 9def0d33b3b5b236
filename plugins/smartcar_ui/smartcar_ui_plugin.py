"""Airflow plugin entry: the platform's pages in the Airflow 3 UI.

A FastAPI app mounted by the api-server under ``/smartcar`` (``fastapi_apps``) and external views
that put the pages in the UI's navigation, rendered in the UI's frame (``url_route``), plus a
"Data quality" tab on every DAG run (``destination: dag_run``; the UI fills in ``{DAG_ID}`` and
``{RUN_ID}``). Server pages rather than a React app (``react_apps``): they need no Node toolchain
at install time or in the image, read the platform's Python APIs directly, work without script,
and a test reads exactly what a person sees; the stylesheet follows the UI's look instead.
"""

from __future__ import annotations

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from smartcar_ui.app import app

VIEWS = (
    ("Speeding & alerts", "/smartcar/speeding", "smartcar-speeding"),
    ("Stream health", "/smartcar/stream", "smartcar-stream"),
    ("Data quality", "/smartcar/quality/", "smartcar-quality"),
    ("Exports", "/smartcar/exports", "smartcar-exports"),
)


class SmartcarUIPlugin(AirflowPlugin):
    name = "smartcar_ui"
    fastapi_apps: ClassVar[list] = [{"app": app, "url_prefix": "/smartcar", "name": "Smart-car platform pages"}]
    external_views: ClassVar[list] = [
        {
            "name": "Smartcar",
            "href": "/smartcar/",
            "destination": "nav",
            "url_route": "smartcar",
            "nav_top_level": True,
        },
        *(
            {"name": name, "href": href, "destination": "nav", "category": "Smartcar", "url_route": route}
            for name, href, route in VIEWS
        ),
        {
            "name": "Data quality",
            "href": "/smartcar/quality/run/{DAG_ID}/{RUN_ID}",
            "destination": "dag_run",
            "url_route": "data-quality",
        },
    ]
