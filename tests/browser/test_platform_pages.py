"""Headless Chromium logs into the Airflow UI and checks the platform's pages and a Data Docs report.

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the whole Airflow of the test
session (fixture ``airflow_service``). Every request that leaves 127.0.0.1 is blocked and
recorded: the pages, Data Docs included, must work offline. Screenshots go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from simulator.sample_day import write_sample_day
from smartcar.settings import Settings, get_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GOOD, BAD = "20200322", "20200323"
ALERT_DAY = "20300101"


def _load_dag(name: str):
    spec = importlib.util.spec_from_file_location(f"_browser_{name}", REPO / "dags" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


@pytest.fixture(scope="module")
def platform_data(
    private_warehouse: None, airflow_service: Settings, redis_service: Settings, postgres_service: Settings
) -> dict[str, Any]:
    """A simulated clean and bad day through the real export DAG, speeding alerts and a stream heartbeat.

    The export DAG runs with ``dag.test()`` in the session's Airflow database (the api-server the
    browser talks to reads the same one): the clean day's run succeeds, the bad day's fails its
    validation, as a user would see them after such a day.
    """
    from streaming import health as stream_health
    from streaming.sinks.redis_sink import RedisSink
    from streaming.windows import Alert

    write_sample_day(GOOD)
    write_sample_day(BAD, defects=("tire_out_of_range", "unknown_engine", "duplicate_key"))
    export = _load_dag("smartcar_export")
    runs = {}
    for day in (GOOD, BAD):
        logical = dt.datetime.strptime(day, "%Y%m%d").replace(tzinfo=dt.UTC)
        runs[day] = export.test(logical_date=logical, run_conf={"working_day": day})
    assert str(runs[GOOD].state) in ("success", "DagRunState.SUCCESS")
    assert str(runs[BAD].state) in ("failed", "DagRunState.FAILED")
    # alerts of a day that is not today and newer than any other test's: the page must open on it by itself
    start = int(dt.datetime(2030, 1, 1, 1, tzinfo=dt.UTC).timestamp())
    alerts = [
        Alert(
            rule="speeding",
            rule_version=1,
            car_number=car,
            window_start=start + i * 30,
            window_end=start + i * 30 + 30,
            time_mode="event",
            value=131.5,
            count=15,
            last_timestamp=f"{ALERT_DAY}0100{i:02d}",
            redis_key=ALERT_DAY,
            member=f"{car}-{ALERT_DAY}0100{i:02d}",
            ttl_seconds=3600,
        )
        for i, car in enumerate(("K0042", "B0007", "K0042"))
    ]
    RedisSink(get_settings()).write(alerts)
    stream_health.publish(
        "browser-test", {"lag": 12, "events_per_s": 950.5, "processed": 123456, "dead_letters": 3}, get_settings()
    )
    return {"settings": airflow_service, "runs": {d: r.run_id for d, r in runs.items()}}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _login(browser, settings: Settings, user: str, password: str | None):
    """A logged-in page at 1280 x 900; every request leaving 127.0.0.1 is blocked and recorded."""
    context = browser.new_context(base_url=settings.airflow_url, viewport={"width": 1280, "height": 900})
    external: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        external.append(route.request.url)
        return route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto("/")
    pg.wait_for_selector("input[name=username]")
    pg.fill("input[name=username]", user)
    pg.fill("input[name=password]", password or "")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))
    pg.wait_for_load_state("networkidle")
    pg.external = external  # type: ignore[attr-defined]
    return context, pg


@pytest.fixture(scope="module")
def page(browser, platform_data: dict[str, Any]):
    from smartcar.runtime.services.airflow import admin_password

    settings = platform_data["settings"]
    context, pg = _login(browser, settings, settings.airflow_admin_user, admin_password(settings))
    yield pg
    context.close()


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _frame(pg):
    """The plugin page inside the Airflow UI's frame, once its heading is there."""
    pg.wait_for_selector("iframe")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frame = next((f for f in pg.frames if urlsplit(f.url).path.startswith("/smartcar/")), None)
        if frame is not None:
            frame.wait_for_selector("h1")
            return frame
        pg.wait_for_timeout(200)
    raise AssertionError(f"no platform page in the UI's frame: {[f.url for f in pg.frames]}")


def _assert_readable(doc, where: str) -> None:
    """What the issue asks of every page at 1280 px: no sideways scroll, charts titled, labelled and wide."""
    overflow = doc.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls horizontally by {overflow}px"
    for chart in doc.locator("svg.chart").all():
        name = chart.get_attribute("aria-label")
        assert chart.locator("text.chart-title").text_content().strip() == name, where
        assert chart.locator("text.axis-label.x").text_content().strip(), f"{where}: {name} has no x axis label"
        assert chart.locator("text.axis-label.y").text_content().strip(), f"{where}: {name} has no y axis label"
        width = chart.bounding_box()["width"]
        assert width >= 600, f"{where}: chart {name!r} is {width:.0f}px wide"


def test_overview_in_the_airflow_ui_shows_the_pipeline_matrix(page, platform_data) -> None:
    page.goto("/plugin/smartcar")
    frame = _frame(page)
    assert "Smart-car platform overview" in frame.locator("h1").inner_text()
    row = {d: frame.locator(f"table.matrix tr[data-date='{d}'] td") for d in (GOOD, BAD)}
    headers = frame.locator("table.matrix th").all_inner_texts()
    export, quality = headers.index("export"), headers.index("quality")
    assert "success" in row[GOOD].nth(export).inner_text() and "success" in row[GOOD].nth(export).get_attribute("class")
    assert "failed" in row[BAD].nth(export).inner_text() and row[BAD].nth(export).get_attribute("class") == "failed"
    assert row[GOOD].nth(quality).inner_text() == "passed" and row[BAD].nth(quality).inner_text() == "failed"
    # services and the stream at a glance
    text = frame.locator("body").inner_text()
    assert "services up" in text and "kafka" in text and "RUNNING" in text
    _assert_readable(frame, "overview in the UI")
    _shot(page, "01-overview-in-airflow-ui")
    # a cell opens its DAG run in the Airflow UI around the frame, not inside it
    row[BAD].nth(export).locator("a").click()
    expected = f"/dags/smartcar_export/runs/{quote(platform_data['runs'][BAD], safe='')}"
    page.wait_for_function("path => location.pathname === path", arg=expected)  # a same-document navigation
    page.get_by_role("tab", name="Data quality").or_(page.get_by_text("Data quality", exact=True)).first.wait_for()


def test_quality_tab_of_a_failed_run_lists_the_failed_expectation(page, platform_data) -> None:
    run_id = platform_data["runs"][BAD]
    page.goto(f"/dags/smartcar_export/runs/{run_id}/plugin/data-quality")
    frame = _frame(page)
    text = frame.locator("body").inner_text()
    assert "Data quality of this run" in text and "validate_marts" in text
    failed = frame.locator("table.checks tr.failed")
    rows = [r.locator("td").all_inner_texts() for r in failed.all()]
    tire = [r for r in rows if r[0] == "expect_column_values_to_be_between" and r[1] == "tire_fl"]
    assert tire and tire[0][3] == "FAILED" and "150" in tire[0][6], rows
    # the passed expectations are listed too, with their result
    assert frame.locator("table.checks span.badge.success").count() > 10
    assert frame.locator("a:text('Data Docs report')").count() >= 1
    _assert_readable(frame, "quality tab")
    _shot(page, "02-run-data-quality-tab")
    page.goto(f"/dags/smartcar_export/runs/{platform_data['runs'][GOOD]}/plugin/data-quality")
    frame = _frame(page)
    assert (
        frame.locator("table.checks tr.failed").count() == 0
        and "passed" in frame.locator("h2.report").first.inner_text()
    )


def test_speeding_page(page) -> None:
    page.goto("/plugin/smartcar-speeding")
    frame = _frame(page)
    text = frame.locator("body").inner_text()
    assert "K0042" in text and "B0007" in text and f"Speeding cars on {ALERT_DAY}: 2" in text
    # the hourly chart: 24 bars, the 01 h bar holding all three windows
    hourly = frame.locator('svg.chart[aria-label^="Speeding windows per hour"]')
    assert hourly.locator("rect.bar").count() == 24
    assert hourly.locator("rect.bar title").nth(1).text_content() == "01: 3 windows"
    top = frame.locator('svg.chart[aria-label^="Top 2 cars"] rect.bar title').all_text_contents()
    assert top == ["K0042: 2 windows", "B0007: 1 windows"]
    assert frame.locator("table.cars tbody tr").count() == 2
    assert not frame.locator("details").first.evaluate("d => d.open")  # the latest alerts are collapsed
    _assert_readable(frame, "speeding page in the UI")
    _shot(page, "03-speeding")


def test_stream_health_page(page) -> None:
    from streaming import health as stream_health

    # a fresh heartbeat: the one of the fixture may be older than the 15 s liveness window by now
    stream_health.publish(
        "browser-test",
        {"lag": 12, "events_per_s": 950.5, "processed": 123456, "dead_letters": 3}
        | {"not_windowed_late": 7, "not_windowed_future": 1},
        get_settings(),
    )
    page.goto("/smartcar/stream")
    text = page.locator("body").inner_text()
    assert "RUNNING" in text and "950.5" in text and "browser-test" in text
    # events stored but not windowed are shown by reason, never silent
    reasons = page.locator("table.not-windowed tbody tr")
    rows = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in reasons.all()}
    assert rows["late beyond grace (the window had closed)"] == "7"
    assert rows["dated too far ahead (dead letter)"] == "1" and rows["older than the state retention"] == "0"
    # lag and rate over the last hour, from the heartbeats' history
    rate = page.locator('svg.chart[aria-label^="Events per second, last hour"]')
    assert page.locator('svg.chart[aria-label^="Consumer lag, last hour"]').count() == 1
    assert "950.5 events/s" in " ".join(rate.locator("circle.point title").all_text_contents())
    _assert_readable(page, "stream page")
    _shot(page, "04-stream-health")
    page.goto("/plugin/smartcar-stream")
    _assert_readable(_frame(page), "stream page in the UI")


def test_quality_index_and_data_docs_report(page) -> None:
    page.goto("/smartcar/quality/")
    text = page.locator("body").inner_text()
    assert GOOD in text and BAD in text and "failed" in text and "tire_fl" in text
    # the pass/fail grid: the failed status partition red, the passed symptom partition green
    grid = page.locator('svg.chart[aria-label^="Checks per table and date"]')
    assert grid.count() == 1
    assert grid.locator("rect.cell.failed title").all_text_contents() == [f"managed_smartcar_status_info {BAD}: failed"]
    assert f"managed_smartcar_symptom_info {GOOD}: passed" in grid.locator("rect.cell.passed title").all_text_contents()
    _assert_readable(page, "quality page")
    _shot(page, "05-quality-index")
    page.goto(f"/smartcar/quality/history/managed_smartcar_status_info/{BAD}")
    history = page.locator("body").inner_text()
    assert "failed\t48/52" in history and "expect_column_values_to_be_between tire_fl" in history
    page.goto("/smartcar/quality/")
    page.locator(f"a[href='/smartcar/quality/report/managed_smartcar_status_info/{BAD}']").first.click()
    page.wait_for_load_state("networkidle")
    assert "/smartcar/quality/docs/validations/managed_smartcar_status_info/" in page.url
    body = page.locator("body").inner_text()
    assert "tire_fl" in body and "150" in body and "engine" in body
    # Bootstrap's stylesheet came from the vendored copy: its grid is laid out.
    assert page.evaluate("getComputedStyle(document.querySelector('.container-fluid') || document.body).display") != ""
    assert page.evaluate("typeof window.jQuery") == "function"
    _shot(page, "06-data-docs-report")


def test_exports_page(page) -> None:
    page.goto("/smartcar/exports")
    text = page.locator("body").inner_text()
    assert f"{GOOD}\tsmartcar_symptom_info\t4\t4\tyes" in text
    _assert_readable(page, "exports page")
    _shot(page, "07-exports")


def test_a_read_only_user_sees_the_pages_and_can_change_nothing(browser, platform_data) -> None:
    from smartcar.runtime.services.airflow import user_password

    settings = platform_data["settings"]
    context, viewer = _login(browser, settings, settings.airflow_viewer_user, user_password(settings, "viewer"))
    try:
        viewer.goto("/plugin/smartcar")
        frame = _frame(viewer)
        assert frame.locator(f"table.matrix tr[data-date='{BAD}']").count() == 1
        viewer.goto(f"/dags/smartcar_export/runs/{platform_data['runs'][BAD]}/plugin/data-quality")
        assert _frame(viewer).locator("table.checks tr.failed").count() > 0
        # Airflow's own permissions hold: the viewer's token cannot trigger or unpause
        token = viewer.evaluate("() => document.cookie.split('; ').find(c => c.startsWith('_token='))?.slice(7)")
        assert token, "no UI token cookie"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        trigger = viewer.request.post("/api/v2/dags/smartcar_export/dagRuns", headers=headers,
                                      data=json.dumps({"logical_date": None}))  # fmt: skip
        unpause = viewer.request.patch("/api/v2/dags/smartcar_export", headers=headers,
                                       data=json.dumps({"is_paused": False}))  # fmt: skip
        assert (trigger.status, unpause.status) == (403, 403)
        assert viewer.request.get("/api/v2/dags/smartcar_export", headers=headers).status == 200
        _shot(viewer, "08-viewer-overview")
    finally:
        context.close()


def test_nothing_was_loaded_from_the_internet(page) -> None:
    assert page.external == [], f"external requests: {page.external}"


def test_anonymous_browser_is_sent_to_login(browser, platform_data) -> None:
    context = browser.new_context(base_url=platform_data["settings"].airflow_url)
    anon = context.new_page()
    for path in (
        "/smartcar/quality/",
        "/smartcar/",
        f"/smartcar/quality/run/smartcar_export/{platform_data['runs'][BAD]}",
    ):
        response = anon.goto(path)
        assert "/auth/login" in anon.url or (response is not None and response.status in (401, 403)), path
    context.close()
