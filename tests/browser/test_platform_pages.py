"""Headless Chromium logs into the Airflow UI and checks the platform's pages and a Data Docs report.

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the whole Airflow of the test
session (fixture ``airflow_service``). Every request that leaves 127.0.0.1 is blocked and
recorded: the pages, Data Docs included, must work offline. Screenshots go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smartcar.settings import Settings
from tests.fixtures.quality_samples import write_sample_day

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
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


@pytest.fixture(scope="module")
def platform_data(
    private_warehouse: None, airflow_service: Settings, redis_service: Settings, postgres_service: Settings
) -> Settings:
    """Quality reports (one clean, one failed), an export, speeding alerts and a stream heartbeat."""
    from smartcar import stream_health
    from smartcar.export.loader import export_date
    from smartcar.quality.runner import validate
    from streaming.sinks.redis_sink import RedisSink
    from streaming.windows import Alert

    write_sample_day(GOOD)
    write_sample_day(BAD, defects=("tire_out_of_range", "unknown_engine", "duplicate_key"))
    assert validate("managed_smartcar_symptom_info", GOOD).status == "passed"
    assert validate("managed_smartcar_status_info", BAD).status == "failed"
    export_date("symptom", GOOD)
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
        for i, car in enumerate(("K0042", "B0007"))
    ]
    RedisSink().write(alerts)
    stream_health.publish("browser-test", {"lag": 12, "events_per_s": 950.5, "processed": 123456, "dead_letters": 3})
    return airflow_service


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


@pytest.fixture(scope="module")
def page(browser, platform_data: Settings):
    from smartcar.runtime.services.airflow import admin_password

    base = platform_data.airflow_url
    context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 1000})
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
    pg.fill("input[name=username]", platform_data.airflow_admin_user)
    pg.fill("input[name=password]", admin_password(platform_data) or "")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))
    pg.wait_for_load_state("networkidle")
    pg.external = external  # type: ignore[attr-defined]
    yield pg
    context.close()


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_nav_has_the_platform_pages_inside_the_airflow_ui(page) -> None:
    page.goto("/plugin/smartcar-speeding")
    frame = page.frame_locator("iframe")
    frame.locator("h1").filter(has_text="Speeding cars and alerts").wait_for()
    text = frame.locator("body").inner_text()
    assert "K0042" in text and "B0007" in text and f"Speeding cars on {ALERT_DAY}: 2" in text
    # the hourly chart: an inline SVG with 24 bars, the 01 h bar holding both alerts
    hourly = frame.locator('svg.chart[aria-label^="speeding windows per hour"]')
    assert hourly.locator("rect.bar").count() == 24
    assert hourly.locator("rect.bar title").nth(1).text_content() == "01: 2"
    _shot(page, "01-airflow-ui-speeding")


def test_stream_health_page(page) -> None:
    from smartcar import stream_health

    # a fresh heartbeat: the one of the fixture may be older than the 15 s liveness window by now
    stream_health.publish(
        "browser-test",
        {"lag": 12, "events_per_s": 950.5, "processed": 123456, "dead_letters": 3}
        | {"not_windowed_late": 7, "not_windowed_future": 1},
    )
    page.goto("/smartcar/stream")
    text = page.locator("body").inner_text()
    assert "RUNNING" in text and "950.5" in text and "browser-test" in text
    # events stored but not windowed are shown by reason, never silent
    reasons = page.locator("h2:text('Events not windowed, by reason') + table tbody tr")
    rows = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in reasons.all()}
    assert rows["late beyond grace (the window had closed)"] == "7"
    assert rows["dated too far ahead (dead letter)"] == "1" and rows["older than the state retention"] == "0"
    # lag and rate over the last hour, from the heartbeats' history
    rate = page.locator('svg.chart[aria-label^="events/s, last hour"]')
    assert page.locator('svg.chart[aria-label^="consumer lag, last hour"]').count() == 1
    assert "950.5 events/s" in " ".join(rate.locator("rect.bar title").all_text_contents())
    _shot(page, "02-stream-health")


def test_quality_index_and_data_docs_report(page) -> None:
    page.goto("/smartcar/quality/")
    text = page.locator("body").inner_text()
    assert GOOD in text and BAD in text and "failed" in text and "tire_fl" in text
    # the pass/fail grid: the failed status partition red, the passed symptom partition green
    grid = page.locator('svg.chart[aria-label^="checks per table and date"]')
    assert grid.count() == 1
    assert grid.locator("rect.cell.failed title").all_text_contents() == [f"managed_smartcar_status_info {BAD}: failed"]
    assert f"managed_smartcar_symptom_info {GOOD}: passed" in grid.locator("rect.cell.passed title").all_text_contents()
    _shot(page, "03-quality-index")
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
    _shot(page, "04-data-docs-report")


def test_exports_page(page) -> None:
    page.goto("/smartcar/exports")
    text = page.locator("body").inner_text()
    assert f"{GOOD}\tsmartcar_symptom_info\t4\t4\tyes" in text
    _shot(page, "05-exports")


def test_nothing_was_loaded_from_the_internet(page) -> None:
    assert page.external == [], f"external requests: {page.external}"


def test_anonymous_browser_is_sent_to_login(browser, platform_data: Settings) -> None:
    context = browser.new_context(base_url=platform_data.airflow_url)
    anon = context.new_page()
    response = anon.goto("/smartcar/quality/")
    assert "/auth/login" in anon.url or (response is not None and response.status in (401, 403))
    context.close()
