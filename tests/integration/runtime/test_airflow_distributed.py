"""Airflow with SMARTCAR_AIRFLOW_EXECUTOR=celery and SMARTCAR_AIRFLOW_AUTH=fab, as the cluster profile runs it.

These tests run in the second session of ``scripts/run-tests.sh`` (``SMARTCAR_PROFILE=cluster``), on that
session's own Airflow: its metadata database in PostgreSQL, its password-protected Celery broker, two
workers, FAB. An Admin's run executes on a Celery worker, and the FAB Viewer reads everything (the
platform's pages too) and changes nothing, in the REST API and in the UI. That ``smartcar down`` leaves
no process of the home, workers and broker included, is checked at the end of every session
(``tests/conftest.py``), this one's too.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from smartcar.settings import Settings
from tests.fixtures.private_platform import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.cluster_only]
CLUSTER_SESSION = "SMARTCAR_PROFILE=cluster .venv/bin/python -m pytest -m 'cluster or cluster_only'"

DAG_ID = "smartcar_alert_response"
"""Its one task succeeds without alerts (records none, notifies nobody) and needs only the export database."""
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def distributed(airflow_service: Settings) -> dict[str, Any]:
    """The session's own Airflow, which the cluster-profile session runs with Celery and FAB."""
    settings = airflow_service
    if (settings.airflow_executor, settings.airflow_auth) != ("celery", "fab"):
        pytest.skip(f"runs in the cluster-profile session: {CLUSTER_SESSION}")
    return {"settings": settings, "home": settings.home}


def _token(settings: Settings, user: str) -> str:
    from smartcar.runtime.services.airflow import user_password

    password = user_password(settings, user)
    assert password, f"no generated password for {user}"
    body = json.dumps({"username": user, "password": password}).encode()
    request = urllib.request.Request(
        f"{settings.airflow_url}/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


def _call(settings: Settings, token: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{settings.airflow_url}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def _wait(what: str, probe, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(2)
    raise AssertionError(f"{what} not seen within {timeout:.0f}s")


def _ui_frame(page):
    """The platform page inside the UI's frame, once its heading is there (``page`` polls: the event loop turns)."""
    page.wait_for_selector("iframe")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frame = next(
            (f for f in page.frames if f.url.rstrip("/").endswith("/smartcar") and "/plugin/" not in f.url), None
        )
        if frame is not None:
            frame.wait_for_selector("h1")
            return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"no platform page in the UI's frame: {[f.url for f in page.frames]}")


@pytest.fixture(scope="module")
def admin_run(distributed: dict[str, Any]) -> dict[str, Any]:
    """The Admin unpauses the DAG and triggers a run through the REST API; the run's end state and tasks."""
    settings = distributed["settings"]
    token = _token(settings, settings.airflow_admin_user)
    _wait(f"{DAG_ID} parsed", lambda: _call(settings, token, "GET", f"/api/v2/dags/{DAG_ID}")[0] == 200, 300)
    status, _ = _call(settings, token, "PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    assert status == 200
    status, run = _call(settings, token, "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})
    assert status == 200, run
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}"

    def finished() -> dict | None:
        body = _call(settings, token, "GET", path)[1]
        return body if body["state"] in ("success", "failed") else None

    final = _wait("the run's end", finished, 300)
    tis = _call(settings, token, "GET", f"{path}/taskInstances")[1]["task_instances"]
    return {"run": final, "task_instances": tis, "run_id": run["dag_run_id"]}


def test_an_admin_run_executes_on_a_celery_worker(distributed: dict[str, Any], admin_run: dict[str, Any]) -> None:
    assert admin_run["run"]["state"] == "success", admin_run
    (ti,) = admin_run["task_instances"]
    assert ti["state"] == "success" and ti["queue"] == "default"
    # the worker that took it logged the workload: the task ran under Celery, not in the scheduler
    logs = distributed["home"] / "logs"
    worker_logs = {p.name: p.read_text(errors="replace") for p in logs.glob("airflow-worker-*.log")}
    assert len(worker_logs) == 2, sorted(p.name for p in logs.iterdir())
    ran = [name for name, text in worker_logs.items() if admin_run["run_id"] in text]
    assert len(ran) == 1, {name: text[-2000:] for name, text in worker_logs.items()}
    scheduler = (logs / "airflow-scheduler.log").read_text(errors="replace")
    assert "CeleryExecutor" in scheduler


def test_the_fab_viewer_reads_everything_and_changes_nothing(
    distributed: dict[str, Any], admin_run: dict[str, Any]
) -> None:
    settings = distributed["settings"]
    token = _token(settings, settings.airflow_viewer_user)
    run_path = f"/api/v2/dags/{DAG_ID}/dagRuns/{admin_run['run_id']}"
    reads = {
        "dags": _call(settings, token, "GET", "/api/v2/dags")[0],
        "runs": _call(settings, token, "GET", f"/api/v2/dags/{DAG_ID}/dagRuns")[0],
        "task instances": _call(settings, token, "GET", f"{run_path}/taskInstances")[0],
        "overview page": _call(settings, token, "GET", "/smartcar/")[0],
        "quality tab": _call(settings, token, "GET", f"/smartcar/quality/run/{DAG_ID}/{admin_run['run_id']}")[0],
        "speeding page": _call(settings, token, "GET", "/smartcar/speeding")[0],
    }
    assert reads == dict.fromkeys(reads, 200)
    writes = {
        "trigger": _call(settings, token, "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})[0],
        "pause": _call(settings, token, "PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": True})[0],
        "clear": _call(
            settings,
            token,
            "POST",
            f"/api/v2/dags/{DAG_ID}/clearTaskInstances",
            {"dag_run_id": admin_run["run_id"], "dry_run": False, "only_failed": False},
        )[0],
    }
    assert writes == dict.fromkeys(writes, 403)
    # the Admin's run is as it was: nothing was cleared or re-run
    admin = _token(settings, settings.airflow_admin_user)
    assert _call(settings, admin, "GET", run_path)[1]["state"] == "success"


def test_the_fab_viewer_in_the_browser_cannot_trigger_or_unpause(
    distributed: dict[str, Any], admin_run: dict[str, Any]
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    from smartcar.runtime.services.airflow import user_password

    settings = distributed["settings"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True)
        try:
            context = browser.new_context(base_url=settings.airflow_url, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto("/")
            page.wait_for_selector("input[name=username]")  # FAB's login form
            page.fill("input[name=username]", settings.airflow_viewer_user)
            page.fill("input[name=password]", user_password(settings, settings.airflow_viewer_user) or "")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))
            # the platform's page in the UI's frame (the UI lists it only to users who may read the plugins)
            page.goto("/plugin/smartcar")
            frame = _ui_frame(page)
            assert "Smart-car platform overview" in frame.locator("h1").inner_text()
            # the DAG page offers the pause switch and the trigger button; what happens when the viewer uses them
            writes: list[tuple[str, str, int]] = []
            page.on(
                "response",
                lambda r: writes.append((r.request.method, r.url, r.status)) if r.request.method != "GET" else None,
            )
            page.goto(f"/dags/{DAG_ID}")
            page.get_by_role("button", name="Trigger Dag").wait_for()
            page.get_by_role("checkbox").first.click(force=True)  # the pause switch (the DAG is unpaused)
            deadline = time.monotonic() + 30
            while not any(m == "PATCH" for m, _, _ in writes) and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert [(m, s) for m, u, s in writes if u.endswith(f"/api/v2/dags/{DAG_ID}")] == [("PATCH", 403)], writes
            # the trigger dialog cannot load its form for the viewer: no Trigger button to press (the Admin's has one)
            page.get_by_role("button", name="Trigger Dag").click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Failed to load Dag information").wait_for()
            assert dialog.get_by_role("button", name="Trigger", exact=True).count() == 0
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "10-fab-viewer-trigger.png"))
            assert not [w for w in writes if "/dagRuns" in w[1]], writes
        finally:
            browser.close()
    admin = _token(settings, settings.airflow_admin_user)
    runs = _call(settings, admin, "GET", f"/api/v2/dags/{DAG_ID}/dagRuns")[1]["dag_runs"]
    assert [r["dag_run_id"] for r in runs] == [admin_run["run_id"]]
    assert _call(settings, admin, "GET", f"/api/v2/dags/{DAG_ID}")[1]["is_paused"] is False


def test_status_counts_the_components_the_broker_and_both_workers(distributed: dict[str, Any]) -> None:
    status = json.loads(run_cli("status", "--json", env={}).stdout)["airflow"]
    assert status["healthy"] is True and len(status["pids"]) == 7  # 4 components, the broker, two workers
    assert status["memory_mb"] > 0
