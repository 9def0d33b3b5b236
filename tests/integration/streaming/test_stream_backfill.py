"""``smartcar stream backfill`` over a day the live processor stored: same windows, same Redis state.

The day goes through the real processor into HBase and Redis first; the backfill then reads it back
from HBase. The dry run must find exactly the independent computation's windows and report them as
already in Redis; a backtest with another threshold must find that threshold's windows and write
nothing; and after the day's alerts are wiped, the real run must rebuild Redis exactly as the live
path left it (ids, members, records, TTLs). The DAG ``smartcar_stream_backfill`` runs the same backtest
from its params.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
import time

import pytest

from simulator.scripted import car_numbers, isolation_env, produce, scripted_lines
from smartcar.core.clients import redis_client
from smartcar.settings import REPO_ROOT, get_settings
from streaming import alerts_store
from tests.fixtures.speeding_oracle import speeding_windows

pytestmark = pytest.mark.integration

DAY = "20200405"
CARS = car_numbers(30, "Y")


def _speed(car: str, t: int) -> int:
    return 60 + (int(car[1:]) * 11 + (t // 30) * 17) % 51 + t % 6


def _backfill(settings, *args: str) -> dict:
    cmd = [sys.executable, "-m", "smartcar.cli", "stream", "backfill", "--date", DAY, "--json", *args]
    done = subprocess.run(cmd, env=isolation_env(settings), cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    return {r["rule"]: r for r in report["rules"]} | {"_report": report}


def _redis_state(settings) -> dict:
    """Everything the alert path keeps for this day and these cars (detection times aside)."""
    r = redis_client(settings)
    ids = sorted({i for car in CARS for i in r.zrange(alerts_store.car_index_key(car), 0, -1)})
    records = {i: {k: v for k, v in r.hgetall(alerts_store.alert_key(i)).items() if k != "detected_at"} for i in ids}
    keys = [DAY, f"harsh_braking:{DAY}", f"unsignalled_turns:{DAY}"]
    return {
        "ids": ids,
        "records": records,
        "sets": {k: sorted(r.smembers(k)) for k in keys},
        "ttl_set": all(r.ttl(k) > 0 for k in keys if r.exists(k))
        and all(r.ttl(alerts_store.alert_key(i)) > 0 for i in ids),
    }


def _wipe(settings) -> None:
    r = redis_client(settings)
    ids = {i for car in CARS for i in r.zrange(alerts_store.car_index_key(car), 0, -1)}
    r.delete(DAY, f"harsh_braking:{DAY}", f"unsignalled_turns:{DAY}", *(alerts_store.car_index_key(c) for c in CARS))
    if ids:
        r.delete(*(alerts_store.alert_key(i) for i in ids))
        r.zrem(alerts_store.LATEST_INDEX, *ids)


def _run_dag(settings, monkeypatch, conf: dict) -> dict:
    """``dag.test()`` of the backfill DAG in this process, on the test's isolated table; its task's report."""
    spec = importlib.util.spec_from_file_location(
        "_test_backfill_dag", REPO_ROOT / "dags" / "smartcar_stream_backfill.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for key, value in isolation_env(settings).items():
        if key.startswith("SMARTCAR_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        run = module.dag.test(logical_date=dt.datetime.now(dt.UTC), run_conf=conf)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    (ti,) = run.get_task_instances()
    assert str(ti.state) == "success", ti.state
    return ti.xcom_pull(task_ids="backfill_rules")


def test_backfill_dry_run_matches_the_independent_count_and_the_real_run_rebuilds_redis(
    stream_settings, run_processor, wait_for, airflow_home, monkeypatch
):
    s = stream_settings
    pairs = list(scripted_lines(CARS, f"{DAY}100000", 600, _speed))
    lines = [line for _, line in pairs]
    expected = speeding_windows(lines)
    assert len(expected) > 50
    proc = run_processor(s, idle_advance_after_s=1)
    produce(pairs, s, partitions=2)
    wait_for(lambda: proc.counters.valid == len(pairs), 90, "the day processed")
    wait_for(lambda: proc.engine.open_windows("speeding") == 0, 90, "every speeding window closed")
    wait_for(lambda: len(alerts_store.speeding_cars(DAY, s)) == len(expected), 30, "live alerts")
    proc.stop()
    proc.thread.join(60)
    live = _redis_state(s)
    assert {i for i in live["ids"] if i.startswith("speeding:")} == expected

    dry = _backfill(s, "--dry-run")
    assert dry["_report"]["events"] == len(pairs) and dry["_report"]["dry_run"]
    speeding = dry["speeding"]
    assert speeding["windows"] == len(expected) == speeding["in_redis"]
    assert speeding["missing_in_redis"] == 0 and speeding["only_in_redis"] == 0 and speeding["written"] == 0
    assert _redis_state(s) == live

    backtest = _backfill(s, "--rule", "speeding", "--set", "speeding.threshold=100")
    assert set(backtest) == {"speeding", "_report"}
    assert backtest["speeding"]["windows"] == len(speeding_windows(lines, threshold=100)) < len(expected)
    assert backtest["speeding"]["only_in_redis"] == len(expected) - backtest["speeding"]["windows"]
    assert backtest["_report"]["dry_run"] and _redis_state(s) == live

    _wipe(s)
    assert _redis_state(s)["ids"] == []
    time.sleep(0.1)
    written = _backfill(s)
    assert written["speeding"]["written"] == len(expected) and written["speeding"]["missing_in_redis"] == len(expected)
    assert _redis_state(s) == live

    # the same backtest from the UI's DAG, with its params
    report = _run_dag(s, monkeypatch, {"date": DAY, "rule": "speeding", "overrides": ["speeding.threshold=100"]})
    (speeding,) = report["rules"]
    assert speeding["windows"] == len(speeding_windows(lines, threshold=100)) and speeding["written"] == 0
    assert _redis_state(s) == live
