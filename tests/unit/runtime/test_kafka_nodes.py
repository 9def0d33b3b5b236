"""One or three Kafka nodes: the settings that describe them, their configuration, the replica plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from smartcar.core.kafka_topics import replica_plan, topic_config
from smartcar.runtime.kafka_reassign import plan_json
from smartcar.runtime.services.kafka import KafkaService, node_properties
from smartcar.settings import Settings

THREE = {
    "kafka_brokers": 3,
    "kafka_bootstrap": "127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292",
    "kafka_controller_ports": "9093,9193,9293",
}


def test_three_nodes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCAR_KAFKA_BROKERS", "3")
    monkeypatch.setenv("SMARTCAR_KAFKA_BOOTSTRAP", THREE["kafka_bootstrap"])
    monkeypatch.setenv("SMARTCAR_KAFKA_CONTROLLER_PORTS", THREE["kafka_controller_ports"])
    s = Settings()
    assert s.kafka_brokers == 3
    assert s.kafka_node_addresses == [("127.0.0.1", 9092), ("127.0.0.1", 9192), ("127.0.0.1", 9292)]
    assert s.kafka_controller_port_list == [9093, 9193, 9293]
    assert (s.kafka_replication_factor, s.kafka_min_insync_replicas) == (3, 2)


def test_one_node_is_unreplicated() -> None:
    s = Settings(kafka_bootstrap="127.0.0.1:9092")
    assert (s.kafka_replication_factor, s.kafka_min_insync_replicas) == (1, 1)
    assert topic_config(s, s.kafka_topic)["min.insync.replicas"] == "1"


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"kafka_brokers": 2}, "Input should be 1 or 3"),
        ({**THREE, "kafka_bootstrap": "127.0.0.1:9092"}, "must list their three addresses"),
        ({**THREE, "kafka_controller_ports": "9093"}, "must list their three controller ports"),
        ({**THREE, "kafka_controller_ports": "9093,9193,9092"}, "must all differ"),
        ({**THREE, "kafka_controller_ports": "9093,x,9293"}, "is not a list of ports"),
        ({**THREE, "kafka_bootstrap": "127.0.0.1:9092,127.0.0.1,127.0.0.1:9292"}, "is not host:port"),
        ({"kafka_controller_ports": "9093,9193,9293"}, "one node uses SMARTCAR_KAFKA_CONTROLLER_PORT"),
    ],
)
def test_bad_node_settings_are_refused_with_a_clear_message(update: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**update)


def test_an_external_cluster_of_three_needs_no_embedded_ports() -> None:
    s = Settings(kafka_brokers=3, kafka_bootstrap="kafka-1:9092")
    assert s.kafka_replication_factor == 3 and not s.is_managed("kafka")


def test_three_node_configuration(tmp_path: Path) -> None:
    s = Settings(home=tmp_path, **THREE)
    dirs = KafkaService().node_dirs(s)
    assert dirs == [tmp_path / "kafka" / f"node-{i}" for i in (1, 2, 3)]
    props = node_properties(s, 2, dirs[1] / "data")
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193"
    for key in (
        "default.replication.factor",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
    ):
        assert props[key] == "3"
    assert props["min.insync.replicas"] == props["transaction.state.log.min.isr"] == "2"
    assert [spec.name for spec in KafkaService().processes(s)] == ["kafka-1", "kafka-2", "kafka-3"]


def test_one_node_keeps_its_layout(tmp_path: Path) -> None:
    s = Settings(home=tmp_path, kafka_bootstrap="127.0.0.1:9092", kafka_controller_port=9093)
    assert KafkaService().node_dirs(s) == [tmp_path / "kafka"]
    props = node_properties(s, 1, tmp_path / "kafka" / "data")
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["log.dirs"] == str(tmp_path / "kafka" / "data")
    assert props["offsets.topic.replication.factor"] == "1"
    assert [spec.name for spec in KafkaService().processes(s)] == ["kafka"]


def test_replica_plan_adds_replicas_to_the_least_loaded_brokers() -> None:
    current = {("t", 0): [1], ("t", 1): [2], ("u", 0): [1, 2, 3]}
    plan = replica_plan(current, [1, 2, 3], 3)
    assert ("u", 0) not in plan  # complete already
    assert all(len(r) == 3 and len(set(r)) == 3 for r in plan.values())
    assert plan[("t", 0)][0] == 1 and plan[("t", 1)][0] == 2  # the leader stays first
    assert '"replicas": [1, ' in plan_json(plan)


def test_replica_plan_never_asks_more_replicas_than_brokers() -> None:
    assert replica_plan({("t", 0): [1]}, [1], 3) == {}
    assert replica_plan({("t", 0): [1]}, [1, 2], 3) == {("t", 0): [1, 2]}
