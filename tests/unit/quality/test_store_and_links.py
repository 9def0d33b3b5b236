"""Reports kept per table and date; the operator's extra link; the notifier's webhook delivery."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from smartcar.quality.store import Finding, QualityReport, history, index, latest, save_report
from smartcar.settings import Settings


def _report(date: str, status: str, run_time: str) -> QualityReport:
    failures = [Finding("expect_column_values_to_be_between", "critical", "tire_fl", "tire 0-100", None, 1, ["150"])]
    return QualityReport("managed_smartcar_status_info", date, run_time, status, 20, 52, 51, 1.0,
                         failures if status == "failed" else [], "validations/x.html")  # fmt: skip


def test_reports_per_table_and_date_with_history(tmp_path: Path) -> None:
    s = Settings(home=tmp_path)
    save_report(_report("20200322", "failed", "20260101T000000.000000Z"), s)
    save_report(_report("20200322", "passed", "20260101T010000.000000Z"), s)
    save_report(_report("20200323", "failed", "20260101T020000.000000Z"), s)
    assert [r.status for r in history("managed_smartcar_status_info", "20200322", s)] == ["failed", "passed"]
    assert latest("managed_smartcar_status_info", "20200322", s).status == "passed"
    idx = index(s)
    assert list(idx) == ["20200323", "20200322"]
    bad = idx["20200323"]["managed_smartcar_status_info"]
    assert bad.critical[0].sample == ["150"] and "tire 0-100" in bad.summary()


def test_extra_link_points_at_the_report_page() -> None:
    from smartcar_quality import DataDocsLink, validation_task

    op = validation_task("managed_smartcar_symptom_info", dates=["20200322", "20200323"])
    assert op.task_id == "validate_managed_smartcar_symptom_info"
    link = DataDocsLink().get_link(op, ti_key=None)
    assert link == "/smartcar/quality/report/managed_smartcar_symptom_info/20200322"


def test_notifier_logs_and_posts_to_the_webhook(tmp_path: Path, monkeypatch) -> None:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    logged: list[str] = []
    collector = Collect()
    logging.getLogger("smartcar.airflow.notifications").addHandler(collector)
    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from smartcar.airflow.notifications import SmartcarNotifier
        from smartcar.settings import get_settings

        monkeypatch.setenv("SMARTCAR_NOTIFY_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
        get_settings.cache_clear()
        notifier = SmartcarNotifier(title="Data quality FAILED: t 20200323", message="tire_fl out of range")
        notifier.notify({})
        assert notifier.reached == ["log", "webhook"]
        assert received[0]["title"] == "Data quality FAILED: t 20200323"
        assert "NOTIFICATION Data quality FAILED: t 20200323: tire_fl out of range" in logged
        monkeypatch.setenv("SMARTCAR_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/closed")
        get_settings.cache_clear()
        notifier.notify({})
        assert notifier.reached == ["log"]  # a dead webhook is logged, never raised
    finally:
        server.shutdown()
        logging.getLogger("smartcar.airflow.notifications").removeHandler(collector)
        get_settings.cache_clear()


def test_stall_watch_notifies_once_per_episode() -> None:
    from smartcar.airflow.notifications import StallWatch

    watch = StallWatch(patience=2)
    healthy = [{"alive": True, "lag": 5, "processed": n} for n in (100, 200, 300)]
    assert [watch.observe(h) for h in healthy] == [False, False, False]
    stuck = {"alive": True, "lag": 5000, "processed": 300}
    assert [watch.observe(stuck) for _ in range(4)] == [False, True, False, False]  # lag grows, nothing processed
    assert watch.observe({"alive": True, "lag": 10, "processed": 900}) is False  # recovered: episode closed
    dead = {"alive": False, "lag": 0, "processed": 0}
    assert [watch.observe(dead) for _ in range(3)] == [False, True, False]
    idle = {"alive": True, "lag": 0, "processed": 0}
    assert [watch.observe(idle) for _ in range(3)] == [False, False, False]  # no input is not a stall
