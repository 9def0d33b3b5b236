"""The compose stack's three Kafka nodes are configured by the same code as the embedded ones.

``container_environment`` renders a node's ``KAFKA_*`` from the settings the stack's own ``SMARTCAR_*`` give
(three brokers, four partitions); the file as Compose resolves it must hold exactly that, so replication,
internal topics and retention cannot drift apart between the two worlds.
"""

from __future__ import annotations

import pytest

from smartcar.runtime.services.kafka import COMPOSE_NODES, container_environment
from smartcar.settings import Settings
from tests.unit.deploy.compose import generate_env, resolved


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return resolved(generate_env(tmp_path_factory.mktemp("env")))["services"]


def _stack_settings(services: dict, monkeypatch: pytest.MonkeyPatch) -> Settings:
    import os

    for key in [k for k in os.environ if k.startswith("SMARTCAR_")]:
        monkeypatch.delenv(key)
    for key, value in services["stream-processor"]["environment"].items():
        if key.startswith("SMARTCAR_"):
            monkeypatch.setenv(key, str(value))
    return Settings()


@pytest.mark.parametrize("node", range(1, COMPOSE_NODES + 1))
def test_each_node_is_what_the_kafka_service_renders(services: dict, node: int, monkeypatch) -> None:
    settings = _stack_settings(services, monkeypatch)
    assert settings.kafka_brokers == COMPOSE_NODES == 3
    environment = {k: str(v) for k, v in services[f"kafka-{node}"]["environment"].items() if k.startswith("KAFKA_")}
    assert environment == container_environment(settings, node)
    assert environment["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
    assert environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"


def test_the_nodes_share_one_cluster_id_and_list_every_node(services: dict, monkeypatch) -> None:
    settings = _stack_settings(services, monkeypatch)
    nodes = [services[f"kafka-{i}"] for i in range(1, COMPOSE_NODES + 1)]
    assert len({n["environment"]["CLUSTER_ID"] for n in nodes}) == 1
    assert len(nodes[0]["environment"]["CLUSTER_ID"]) == 22  # 16 bytes, base64 without padding
    assert [f"{h}:{p}" for h, p in settings.kafka_node_addresses] == [f"kafka-{i}:9092" for i in (1, 2, 3)]
    volumes = {str(n["volumes"][0]).split(":")[0] for n in nodes}
    assert len(volumes) == 3, "each node keeps its own log directory"
