"""Kafka -> processor -> HBase + Redis against the real embedded broker, HBase Thrift server and Redis."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from simulator.scripted import produce, scripted_lines
from smartcar.core.clients import hbase_connection, redis_client
from smartcar.core.driving_record import TABLE, row_key
from smartcar.settings import REPO_ROOT
from streaming import alerts_store
from streaming.events import parse_line
from streaming.health import read_health
from tests.fixtures.kafka_reading import read_topic
from tests.fixtures.stream_results import count_rows

pytestmark = pytest.mark.integration
RULES = REPO_ROOT / "include" / "rules"

BAD_LINES = [
    "20200401000010,P0001,1,0,F,N,85",  # 7 fields
    "20200401000010,P0001,1,0,F,N,fast,A01",  # non-numeric speed
    "20200441000010,P0001,1,0,F,N,85,A01",  # bad timestamp
    "20200401000010,P0001,1,0,Z9,N,85,A01",  # unknown steering code
    "Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum",
]


def _speed(car: str, t: int) -> int:
    window = t // 30
    return {
        "P0001": 120 if window == 1 else 50,
        "P0002": 95 if window in (0, 3) else 60,
        "P0003": 80,  # exactly the threshold: never an alert
    }.get(car, 60)


def test_scripted_stream_end_to_end(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = ["P0001", "P0002", "P0003", "P0004"]
    pairs = list(scripted_lines(cars, "20200401000000", 120, _speed))
    pairs.insert(37, (None, BAD_LINES[0]))
    pairs[60:60] = [("P0001", line) for line in BAD_LINES[1:]]
    pairs.append(("P0004", "20200401000320,P0004,1,0,F,N,0,A01"))  # later event time closes every window
    produce(pairs, s, partitions=2)

    proc = run_processor(s, stop_when_idle_s=6, idle_advance_after_s=2, batch_size=50)
    proc.thread.join(120)
    assert not proc.thread.is_alive()

    # exactly the expected speeding members, nothing else (original key and member format)
    assert alerts_store.speeding_cars("20200401", s) == [
        "P0001-20200401000058",
        "P0002-20200401000028",
        "P0002-20200401000158",
    ]
    assert alerts_store.speeding_cars("20200401", s) == alerts_store.speeding_cars("20200401", s)  # not destructive
    assert redis_client(s).ttl("20200401") > 6 * 24 * 3600
    latest = {r["id"] for r in alerts_store.latest_alerts(10_000, s)}
    assert {"speeding:P0001:20200401000030", "speeding:P0002:20200401000000"} <= latest
    # the richer record names the car, window bounds, average and rule version
    records = alerts_store.alerts_for_car("P0002", s)
    assert [(r["window_start"], r["window_end"], r["value"], r["rule"], r["rule_version"]) for r in records] == [
        ("20200401000130", "20200401000200", "95.000", "speeding", "1"),
        ("20200401000000", "20200401000030", "95.000", "speeding", "1"),
    ]

    # every valid event in HBase under the original key, with the 8 values
    valid = [parse_line(line) for _, line in pairs]
    valid = [e for e in valid if hasattr(e, "epoch")]
    assert count_rows(s) == len(valid) == 4 * 60 + 1
    conn = hbase_connection(s)
    try:
        rows = dict(conn.table(TABLE).rows([row_key(e.date, e.car_number).encode() for e in valid]))
    finally:
        conn.close()
    for e in valid:
        row = rows[row_key(e.date, e.car_number).encode()]
        assert row[b"cf1:speed"] == str(e.speed).encode() and row[b"cf1:date"] == e.date.encode()

    # dead letters counted and on the dead-letter topic with their reason
    assert proc.counters.dead_letters == len(BAD_LINES)
    assert dict(proc.counters.dead_letter_reasons) == {
        "field_count:7": 1,
        "non_numeric:speed": 1,
        "bad_timestamp": 1,
        "unknown_code:steer_angle": 1,
        "header_line": 1,
    }
    got = read_topic(s, s.kafka_dead_letter_topic, 5, timeout=30, settle_s=1.0)
    assert sorted(m.value().decode() for m in got) == sorted(BAD_LINES)
    assert all(dict(m.headers())["reason"] for m in got)

    # the same alerts on the alert topic, as JSON keyed by car, for subscribers
    published = [
        json.loads(m.value())
        for m in read_topic(s, s.kafka_alert_topic, proc.counters.alerts, timeout=30, settle_s=1.0)
    ]
    assert len(published) == proc.counters.alerts
    assert sorted(a["member"] for a in published if a["rule"] == "speeding") == [
        "P0001-20200401000058",
        "P0002-20200401000028",
        "P0002-20200401000158",
    ]

    # health was published for the UI/DAG
    health = read_health(s)
    assert health["processed"] == len(pairs) and health["dead_letters"] == len(BAD_LINES)
    assert health["last_heartbeat"] is not None


def test_rule_change_80_to_100_applies_from_next_window(stream_settings, run_processor, wait_for, tmp_path):
    s = stream_settings
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES, rules_dir)
    speeding = rules_dir / "speeding.yaml"

    def speed(car: str, t: int) -> int:
        return 90 if car == "Q0001" else 105

    proc = run_processor(s, rules_dir=rules_dir, rules_poll_s=0.2, idle_advance_after_s=2, batch_size=100)
    produce(scripted_lines(["Q0001", "Q0002"], "20200402000000", 60, speed), s, partitions=2)
    wait_for(lambda: proc.counters.valid == 60, 60, "first minute processed")

    speeding.write_text(speeding.read_text().replace("value: 80", "value: 100").replace("version: 1", "version: 2"))
    os.utime(speeding, ns=(speeding.stat().st_atime_ns, speeding.stat().st_mtime_ns + 10**9))
    wait_for(lambda: proc.engine.rules["speeding"].condition.value == 100, 30, "reload")

    # a broken file is rejected and v2 keeps running
    speeding.write_text(speeding.read_text().replace("value: 100", "value: [oops"))
    os.utime(speeding, ns=(speeding.stat().st_atime_ns, speeding.stat().st_mtime_ns + 2 * 10**9))
    wait_for(lambda: speeding in proc.watcher.errors, 30, "rejection")
    assert proc.engine.rules["speeding"].version == 2

    rest = [p for p in scripted_lines(["Q0001", "Q0002"], "20200402000000", 180, speed) if p[1] >= "20200402000100"]
    rest.append(("Q0002", "20200402000500,Q0002,1,0,F,N,0,A01"))
    produce(rest, s, partitions=2)
    wait_for(lambda: proc.counters.valid == 60 + len(rest), 60, "rest processed")
    wait_for(lambda: len(alerts_store.speeding_cars("20200402", s)) == 8, 30, "alerts")
    # caught up on a real broker: the published lag (end offsets - positions) is exactly 0
    wait_for(lambda: (h := read_health(s))["alive"] and h["processed"] >= 60 + len(rest), 30, "health published")
    wait_for(lambda: read_health(s)["lag"] == 0, 30, "lag 0 when caught up")

    members = alerts_store.speeding_cars("20200402", s)
    # Q0001 at 90 km/h: alerts in the two windows before the change only
    assert [m for m in members if m.startswith("Q0001")] == ["Q0001-20200402000028", "Q0001-20200402000058"]
    # Q0002 at 105 km/h: every window; versions switch at the window boundary
    versions = sorted((r["window_start"], r["rule_version"]) for r in alerts_store.alerts_for_car("Q0002", s))
    assert versions == [
        ("20200402000000", "1"),
        ("20200402000030", "1"),
        ("20200402000100", "2"),
        ("20200402000130", "2"),
        ("20200402000200", "2"),
        ("20200402000230", "2"),
    ]
    assert proc.counters.valid == 60 + len(rest)  # no event lost across the reloads


def test_a_processor_that_finds_nothing_new_reports_lag_0(stream_settings, run_processor, wait_for):
    """Restarted over a fully committed topic, the processor reads nothing; its lag is 0, not the whole topic."""
    from confluent_kafka import Consumer, TopicPartition

    s = stream_settings
    produce(scripted_lines(["P0009"], "20200401000000", 40, lambda c, t: 50), s, partitions=2)
    consumer = Consumer(s.kafka_client_config(**{"group.id": s.kafka_consumer_group}))
    ends = [
        TopicPartition(s.kafka_topic, p, consumer.get_watermark_offsets(TopicPartition(s.kafka_topic, p))[1])
        for p in (0, 1)
    ]
    consumer.commit(offsets=ends, asynchronous=False)  # as a previous owner would have, all windows closed
    consumer.close()
    proc = run_processor(s)
    wait_for(lambda: proc.assigned == {0, 1}, 60, "assignment")
    wait_for(lambda: any(d.get("lag") == "0" for d in read_health(s)["details"]), 30, "lag 0 published")
    assert proc.counters.processed == 0 and read_health(s)["lag"] == 0
