"""Three replicated Kafka nodes: a broker is ``kill -9``-ed under two stream processors and a producer, then
restarted; nothing acknowledged is lost, nothing is stored twice, and the replicas catch up.

The cluster is the session's own three nodes: this module runs in the second session of
``scripts/run-tests.sh`` (``SMARTCAR_PROFILE=cluster``), before the first day, which it leaves with no
partition under-replicated. Its topics, group and tables are kept apart from the platform's by
``isolated_settings``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

from simulator.scripted import car_numbers, isolated_settings, isolation_env, scripted_lines
from smartcar import runtime
from smartcar.core.clients import BULK_PRODUCER, hbase_connection, kafka_producer, redis_client
from smartcar.core.driving_record import COLUMNS, TABLE
from smartcar.core.kafka_topics import replication_state
from smartcar.runtime.services.kafka import KafkaService
from smartcar.settings import REPO_ROOT, Settings
from streaming import alerts_store
from streaming.events import parse_line
from streaming.health import read_health
from streaming.rules import load_rules
from tests.fixtures.kafka_cluster import cluster_env, node_process
from tests.fixtures.kafka_reading import read_topic
from tests.fixtures.stream_results import run_rules

pytestmark = [pytest.mark.integration, pytest.mark.cluster_only]

CARS = car_numbers(200, "K")
SECONDS = 390  # 195 records per car and day -> 39,000 events a day; the last window (even: not speeding) stays open
NEWER, OLDER = "20200410", "20200409"  # the older day is streamed after the newer one


@pytest.fixture(scope="module")
def cluster(kafka_service, hbase_service, redis_service) -> Settings:
    if kafka_service.kafka_brokers != 3:
        pytest.skip(
            "runs in the cluster-profile session: SMARTCAR_PROFILE=cluster .venv/bin/python -m pytest -m cluster_only"
        )
    return kafka_service


def _speed(car: str, t: int) -> int:
    fast = int(car[1:]) % 10 == 0
    return 100 if fast and (t // 30) % 2 == 1 else 50 + t % 7


def _config(admin: AdminClient, topic: str, key: str) -> str:
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return admin.describe_configs([resource])[resource].result(10)[key].value


def test_replication_drift_is_corrected_at_start(cluster: Settings, caplog) -> None:
    tag = uuid.uuid4().hex[:8]
    s = cluster.model_copy(
        update={"kafka_topic": f"rf1-{tag}", "kafka_dead_letter_topic": f"isr-{tag}", "kafka_alert_topic": f"new-{tag}"}
    )
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    # made by hand: one replica only (as on a one-node cluster), and a min.insync.replicas lowered to 1
    admin.create_topics([NewTopic(s.kafka_topic, num_partitions=s.kafka_partitions, replication_factor=1)])[
        s.kafka_topic
    ].result(30)
    admin.create_topics([NewTopic(s.kafka_dead_letter_topic, 1, 3)])[s.kafka_dead_letter_topic].result(30)
    entry = ConfigEntry("min.insync.replicas", "1", incremental_operation=AlterConfigOpType.SET)
    fix = ConfigResource(ConfigResource.Type.TOPIC, s.kafka_dead_letter_topic, incremental_configs=[entry])
    admin.incremental_alter_configs([fix])[fix].result(10)

    with caplog.at_level("WARNING", logger="smartcar.core.kafka_topics"):
        KafkaService().after_start(s)  # the topic check `smartcar up` runs

    topics = admin.list_topics(timeout=10).topics
    for name in (s.kafka_topic, s.kafka_dead_letter_topic, s.kafka_alert_topic):
        for p in topics[name].partitions.values():
            assert len(p.replicas) == 3 and sorted(p.isrs) == sorted(p.replicas), (name, p.id, p.replicas, p.isrs)
        # a config change reaches each broker through the metadata log: read it until the broker asked has it
        _wait(lambda n=name: _config(admin, n, "min.insync.replicas") == "2", 15, f"min.insync.replicas=2 on {name}")
    assert f"topic {s.kafka_topic} had replication factor 1, raised to 3" in caplog.text
    assert f"topic {s.kafka_dead_letter_topic} had min.insync.replicas=1, corrected to 2" in caplog.text
    assert s.kafka_alert_topic not in caplog.text  # created right: nothing to correct


class PacedProducer(threading.Thread):
    """Produces the newer day at once, then the older one in small paced chunks; counts delivery reports."""

    def __init__(self, settings: Settings, newer: list, older: list) -> None:
        super().__init__(daemon=True)
        self.settings, self.newer, self.older = settings, newer, older
        self.acked = 0
        self.errors: list[str] = []
        self.newer_done = threading.Event()

    def _report(self, err, _msg) -> None:
        if err is None:
            self.acked += 1
        else:
            self.errors.append(str(err))

    def _send(self, producer, pairs) -> None:
        for key, value in pairs:
            while True:
                try:
                    producer.produce(self.settings.kafka_topic, value, key)
                    break
                except BufferError:
                    producer.poll(0.1)
        producer.poll(0)

    def run(self) -> None:
        config = {**BULK_PRODUCER, "delivery.report.only.error": False, "on_delivery": self._report}
        producer = kafka_producer(self.settings, **config)
        self._send(producer, self.newer)
        producer.flush(120)
        self.newer_done.set()
        for i in range(0, len(self.older), 1000):  # ~20 s of input: the broker dies and returns meanwhile
            self._send(producer, self.older[i : i + 1000])
            time.sleep(0.5)
        self.remaining = producer.flush(300)


def _start_processor(env: dict[str, str], log_path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streaming.cli", "run", "--stop-when-idle", "15", "--idle-advance-after", "3"]
    with log_path.open("ab") as log:
        return subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def _hbase_rows_and_cells(s: Settings) -> tuple[int, int]:
    conn = hbase_connection(s)
    try:
        rows = cells = 0
        for _key, data in conn.table(TABLE).scan(batch_size=5000):
            rows += 1
            cells += len(data)
        return rows, cells
    finally:
        conn.close()


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except KafkaException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_a_leader_killed_under_two_processors_loses_and_repeats_nothing(cluster: Settings, tmp_path) -> None:
    s = isolated_settings(cluster, "loss", partitions=4)
    newer = list(scripted_lines(CARS, f"{NEWER}000000", SECONDS, _speed))
    older = list(scripted_lines(CARS, f"{OLDER}000000", SECONDS, _speed))
    expected = run_rules(load_rules(REPO_ROOT / "include" / "rules"), [parse_line(ln) for _, ln in newer + older])
    speeding = {(a.alert_id, a.member) for a in expected if a.rule == "speeding"}
    assert len(speeding) == 2 * 20 * 6  # two days x 20 fast cars x 6 odd 30 s windows

    env = {**isolation_env(s), **cluster_env(s)}
    processors = [_start_processor(env, tmp_path / f"processor-{i}.log") for i in (1, 2)]
    producer = PacedProducer(s, newer, older)
    producer.start()
    try:
        assert producer.newer_done.wait(120), "the newer day was not acknowledged"
        _wait(lambda: read_health(s)["processed"] >= len(newer) + 4000, 180, "the older day streaming")
        admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
        leader = admin.list_topics(s.kafka_topic, timeout=10).topics[s.kafka_topic].partitions[0].leader
        victim = node_process(s, leader)
        killed_at = time.monotonic()
        victim.kill()  # kill -9
        victim.wait(30)
        _wait(lambda: replication_state(s).under_replicated > 0, 60, "the cluster to notice the lost broker")
        time.sleep(3)  # producer and consumers carry on with two brokers
        survivors = {n: node_process(s, n).pid for n in (1, 2, 3) if n != leader}
        said: list[str] = []
        runtime.up(["kafka"], s, echo=said.append)  # restarts only the dead node
        assert said[0] == f"kafka: restarting kafka-{leader} (its other processes keep running)", said
        assert {n: node_process(s, n).pid for n in survivors} == survivors
        producer.join(360)
        for proc in processors:
            assert proc.wait(300) == 0, (tmp_path / "processor-1.log").read_text()[-3000:]
    finally:
        for proc in processors:
            if proc.poll() is None:
                proc.kill()
    total = len(newer) + len(older)
    # the producer: every record acknowledged by the in-sync replicas, none failed, none left in its queue
    assert (producer.acked, producer.errors, producer.remaining) == (total, [], 0)
    # HBase: every event once (a replayed one rewrites its row and cell version)
    assert _hbase_rows_and_cells(s) == (total, total * len(COLUMNS))
    # Redis: every speeding window of both days once
    assert set(alerts_store.speeding_cars(NEWER, s)) | set(alerts_store.speeding_cars(OLDER, s)) == {
        m for _, m in speeding
    }
    r = redis_client(s)
    ids = set()
    for car in {m.split("-")[0] for _, m in speeding}:
        ids.update(r.zrange(alerts_store.car_index_key(car), 0, -1))
    assert ids == {alert_id for alert_id, _ in speeding}
    # the alert topic: every alert, and no other, by the alert_id its consumers drop repeats by. The topic is
    # at least once (streaming/sinks/kafka_topics_sink.py): the rebalance the lost group coordinator causes
    # replays from the last commit, and a window closed again is published again under the same alert_id
    published = read_topic(s, s.kafka_alert_topic, len(expected), timeout=30)
    published_ids = [dict(m.headers())["alert_id"].decode() for m in published]
    assert set(published_ids) == {a.alert_id for a in expected}
    assert len({a.alert_id for a in expected}) == len(expected)
    # the restarted broker caught up: no partition of the cluster is under-replicated any more
    _wait(lambda: replication_state(s).under_replicated == 0, 90, "the restarted broker's replicas in sync")
    state = replication_state(s)
    assert state.brokers == 3 and state.offline == 0
    print(
        f"\nbroker {leader} killed mid-stream: {total:,} events acknowledged, HBase {total:,} rows "
        f"{total * len(COLUMNS):,} cells, {len(speeding)} speeding alerts in Redis, {len(set(published_ids))} alerts on the topic "
        f"({len(published_ids) - len(set(published_ids))} repeated), "
        f"0 under-replicated {time.monotonic() - killed_at:.0f} s after the kill"
    )
    kafka_status = next(st for st in runtime.status(s) if st.name == "kafka")
    assert kafka_status.healthy and kafka_status.detail == "3/3 brokers, 0 under-replicated"
