"""Which dates a run builds: params, then triggering asset events, then the logical date."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from smartcar.airflow.run_dates import run_dates, upstream_ready

LOGICAL = dt.datetime(2020, 3, 22, tzinfo=dt.UTC)


def _event(**extra):
    return SimpleNamespace(extra=extra)


def test_logical_date_for_scheduled_runs_and_backfills() -> None:
    assert run_dates({"logical_date": LOGICAL, "params": {}}, param="working_day", event_key="biz_dates") == [
        "20200322"
    ]
    assert run_dates({"logical_date": LOGICAL}, param="biz_month", event_key="biz_months") == ["202003"]


def test_triggering_events_win_over_logical_date() -> None:
    events = {"a": [_event(biz_dates=["20200321", "20200322"]), _event(biz_dates=["20200322"])]}
    context = {"logical_date": LOGICAL, "triggering_asset_events": events}
    assert run_dates(context, param="working_day", event_key="biz_dates") == ["20200321", "20200322"]


def test_params_win_and_are_validated() -> None:
    context = {"logical_date": LOGICAL, "params": {"working_day": "20200301,20200302"}}
    assert run_dates(context, param="working_day", event_key="biz_dates") == ["20200301", "20200302"]
    with pytest.raises(ValueError, match="8-digit"):
        run_dates({"params": {"working_day": "2020-03-01"}}, param="working_day", event_key="biz_dates")
    with pytest.raises(ValueError, match="working_day"):
        run_dates({"logical_date": None}, param="working_day", event_key="biz_dates")


def test_upstream_gate_needs_every_date() -> None:
    events = [_event(biz_dates=["20200322"]), _event(wrk_date="20200323")]
    assert upstream_ready(events, "biz_dates", ["20200322"])
    assert not upstream_ready(events, "biz_dates", ["20200322", "20200323"])
    assert upstream_ready(events, "wrk_date", ["20200323"])


def test_asset_watcher_events_carry_their_dates_in_the_trigger_payload() -> None:
    watcher_event = _event(from_trigger=True, payload={"biz_dates": ["20200322"], "events": {"20200322": 9}})
    context = {"logical_date": LOGICAL, "triggering_asset_events": {"hbase_drivercarinfo": [watcher_event]}}
    assert run_dates(context, param="working_day", event_key="biz_dates") == ["20200322"]
    assert upstream_ready([watcher_event], "biz_dates", ["20200322"])
    assert not upstream_ready([watcher_event], "biz_dates", ["20200323"])
