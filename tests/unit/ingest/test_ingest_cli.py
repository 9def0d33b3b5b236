"""``smartcar ingest spool`` and ``smartcar ingest ledger`` on a temporary home."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from smartcar.ingest.cli import app
from smartcar.settings import get_settings


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SMARTCAR_HOME", str(tmp_path))
    monkeypatch.setenv("SMARTCAR_WAREHOUSE_URI", (tmp_path / "wh").as_uri())
    monkeypatch.delenv("SMARTCAR_SPOOL_DIR", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_spool_then_ledger(home) -> None:
    spool = home / "spool"
    spool.mkdir()
    (spool / "SmartCarStatusInfo_20200322_run1.txt").write_text(
        "SmartCar Status Information,CarNum\n20200322000000,A0001\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["spool", "--wrk-date", "20200323"])
    assert result.exit_code == 0, result.output
    assert "in=2 landed=1 filtered=1" in result.output
    (spool / "SmartCarStatusInfo_20200322_run2.txt").write_text(
        "SmartCar Status Information,CarNum\n20200322000000,A0001\n"
    )
    again = runner.invoke(app, ["spool", "--wrk-date", "20200324"])
    assert "duplicate" in again.output
    ledger = runner.invoke(app, ["ledger"])
    (row,) = [json.loads(line) for line in ledger.output.splitlines()]
    assert (row["wrk_date"], row["lines_in"], row["lines_landed"], row["lines_filtered"]) == ("20200323", 2, 1, 1)


def test_bad_date_is_one_clear_error(home) -> None:
    result = CliRunner().invoke(app, ["spool", "--wrk-date", "2020-03-23"])
    assert result.exit_code == 2
    assert "yyyyMMdd" in result.output
