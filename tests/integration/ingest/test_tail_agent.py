"""The Flume-style tail agent against the session's Kafka: no loss across restarts, no gap on failure."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import Producer

from smartcar.core.kafka_topics import ensure_topics
from smartcar.ingest.tail import DeliveryError, TailAgent, load_state
from tests.fixtures.kafka_reading import read_topic

pytestmark = pytest.mark.integration

HEADER = "Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum\n"


def _line(i: int, car: str = "A0001") -> str:
    return f"20200322{i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d},{car},1,0,F,N,{i % 250},A01\n"


@pytest.fixture
def topic(kafka_service) -> str:
    """A fresh one-partition topic: the agent's order is the file's."""
    name = f"tail-test-{uuid.uuid4().hex[:8]}"
    ensure_topics({name: 1}, kafka_service)
    return name


def test_restart_resumes_at_committed_offset_without_loss(kafka_service, topic, tmp_path) -> None:
    settings = kafka_service
    log = tmp_path / "SmartCarDriverInfo.log"
    state = tmp_path / "tail-state.json"

    log.write_text(HEADER + _line(0) + _line(2, "B0002") + _line(4) + "20200322000006,A00")  # half a line
    first = TailAgent(log, settings=settings, topic=topic, state_file=state)
    assert (first.poll().sent, load_state(state).filtered) == (3, 1)
    assert load_state(state).offset == len((HEADER + _line(0) + _line(2, "B0002") + _line(4)).encode())
    del first  # "crash": a new process starts from the state file

    with open(log, "a") as f:
        f.write("01,1,0,F,N,6,A01\n" + HEADER + _line(8, "C0003"))
    second = TailAgent(log, settings=settings, topic=topic, state_file=state)
    assert second.poll().sent == 2
    assert second.poll().sent == 0  # nothing new

    messages = [(m.key(), m.value()) for m in read_topic(settings, topic, 5, timeout=30)]
    assert [k for k, _v in messages] == [b"A0001", b"B0002", b"A0001", b"A0001", b"C0003"]
    assert messages[3][1] == b"20200322000006,A0001,1,0,F,N,6,A01"
    assert all(not v.endswith(b"\n") for _k, v in messages)


def test_truncated_file_is_read_from_the_start(kafka_service, topic, tmp_path) -> None:
    settings = kafka_service
    log = tmp_path / "d.log"
    state = tmp_path / "s.json"
    log.write_text(_line(0) + _line(2) + _line(4))
    TailAgent(log, settings=settings, topic=topic, state_file=state).poll()
    log.write_text(_line(10, "Z0001"))  # the simulator restarted the file (append=false)
    assert TailAgent(log, settings=settings, topic=topic, state_file=state).poll().sent == 1
    assert [m.key() for m in read_topic(settings, topic, 4, timeout=30)] == [b"A0001"] * 3 + [b"Z0001"]


def test_failed_delivery_does_not_move_the_offset(tmp_path) -> None:
    log = tmp_path / "d.log"
    state = tmp_path / "s.json"
    log.write_text(_line(0) + _line(2))
    from smartcar.runtime.health import free_port

    dead = Producer({"bootstrap.servers": f"127.0.0.1:{free_port()}", "message.timeout.ms": 1500})
    agent = TailAgent(log, producer=dead, topic="nowhere", state_file=state)
    with pytest.raises(DeliveryError):
        agent.poll()
    assert load_state(state) is None or load_state(state).offset == 0
