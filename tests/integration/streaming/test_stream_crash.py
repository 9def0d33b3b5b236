"""kill -9 in the middle of 200,000 events (of the processor, or of the broker), restart: every event in
HBase once, every alert once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest
from confluent_kafka import Consumer, TopicPartition

from simulator.scripted import car_numbers, produce, scripted_lines
from smartcar import runtime
from smartcar.core.clients import redis_client
from smartcar.settings import REPO_ROOT
from streaming import alerts_store
from streaming.events import parse_line
from streaming.health import read_health
from streaming.rules import load_rules
from tests.fixtures.stream_results import count_rows, run_rules

pytestmark = pytest.mark.integration

CARS = car_numbers(500, "R")
SECONDS = 800  # 400 records per car -> 200,000 events
DATE = "20200403"


def _speed(car: str, t: int) -> int:
    fast = int(car[1:]) % 10 == 0
    return 100 if fast and (t // 30) % 2 == 1 else 50 + t % 7


def _start(env: dict[str, str], log_path, idle: int = 8) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streaming.cli", "run", "--stop-when-idle", str(idle), "--idle-advance-after", "3"]
    with log_path.open("ab") as log:
        return subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def _workload(s) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """Produce the 200,001 events; return them and the speeding alerts (id, member) they must raise."""
    pairs = list(scripted_lines(CARS, f"{DATE}000000", SECONDS, _speed))
    pairs.append(("R0001", f"{DATE}002000,R0001,1,0,F,N,0,A01"))  # later event time closes every window
    assert len(pairs) > 200_000
    produce(pairs, s, partitions=2)
    expected = {
        (a.alert_id, a.member)
        for a in run_rules(load_rules(REPO_ROOT / "include" / "rules"), [parse_line(line) for _, line in pairs])
        if a.rule == "speeding"
    }
    assert len(expected) == 50 * 13  # 50 fast cars x 13 odd windows
    return pairs, expected


def _assert_exactly_once(s, pairs: list[tuple[str, str]], expected: set[tuple[str, str]]) -> None:
    # HBase: every event exactly once (replayed events rewrote the same row and cell version)
    assert count_rows(s) == len(pairs)
    # Redis: each speeding window reported once, exactly the expected ones
    assert set(alerts_store.speeding_cars(DATE, s)) == {member for _, member in expected}
    r = redis_client(s)
    ids = set()
    for car in {member.split("-")[0] for _, member in expected}:
        ids.update(r.zrange(alerts_store.car_index_key(car), 0, -1))
    assert ids == {alert_id for alert_id, _ in expected}
    # everything is committed except the last event, whose window is still open: a restart must
    # replay it to rebuild that window
    consumer = Consumer(s.kafka_client_config(**{"group.id": s.kafka_consumer_group}))
    committed = consumer.committed([TopicPartition(s.kafka_topic, p) for p in (0, 1)], timeout=10)
    consumer.close()
    assert sum(tp.offset for tp in committed) == len(pairs) - 1


def test_broker_kill_9_mid_stream_then_restart(stream_settings, child_env, tmp_path, wait_for):
    """The broker dies under a running processor and comes back: nothing lost, nothing twice."""
    s = stream_settings
    pairs, expected = _workload(s)
    log_path = tmp_path / "processor.log"
    proc = _start(child_env, log_path, idle=45)
    try:
        wait_for(lambda: read_health(s)["processed"] >= 70_000, 180, "70,000 events processed")
        broker = next(st for st in runtime.status(s) if st.name == "kafka")
        for pid in broker.pids:
            victim = psutil.Process(pid)
            victim.send_signal(signal.SIGKILL)
            victim.wait(30)
        runtime.up(["kafka"], s, echo=lambda _m: None)
        assert proc.wait(400) == 0, log_path.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_exactly_once(s, pairs, expected)


def test_kill_9_mid_stream_then_restart(stream_settings, child_env, tmp_path, wait_for):
    s = stream_settings
    pairs, expected = _workload(s)
    log_path = tmp_path / "processor.log"
    first = _start(child_env, log_path)
    try:
        wait_for(lambda: read_health(s)["processed"] >= 70_000, 180, "70,000 events processed")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
    assert first.returncode == -signal.SIGKILL
    rows_at_crash = count_rows(s)
    assert 0 < rows_at_crash < len(pairs)

    second = _start(child_env, log_path)
    assert second.wait(300) == 0, log_path.read_text()[-3000:]
    _assert_exactly_once(s, pairs, expected)
