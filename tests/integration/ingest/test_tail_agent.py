"""The Flume-style tail agent against the session's Kafka: no loss across restarts, no gap on failure."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import Consumer, Producer

from smartcar.ingest.tail import DeliveryError, TailAgent, load_state
from smartcar.kafka_topics import ensure_topics

pytestmark = pytest.mark.integration

HEADER = "Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum\n"


def _line(i: int, car: str = "A0001") -> str:
    return f"20200322{i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d},{car},1,0,F,N,{i % 250},A01\n"


def _read_all(settings, topic: str, expected: int, timeout: float = 30.0) -> list[tuple[bytes, bytes]]:
    consumer = Consumer(
        settings.kafka_client_config(
            **{"group.id": f"t-{uuid.uuid4()}", "auto.offset.reset": "earliest", "enable.auto.commit": False}
        )
    )
    consumer.subscribe([topic])
    out: list[tuple[bytes, bytes]] = []
    import time

    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(out) < expected:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            out.append((msg.key(), msg.value()))
        # a little longer, to catch duplicates that should not be there
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                out.append((msg.key(), msg.value()))
    finally:
        consumer.close()
    return out


def test_restart_resumes_at_committed_offset_without_loss(kafka_service, tmp_path) -> None:
    settings = kafka_service
    topic = f"tail-test-{uuid.uuid4().hex[:8]}"
    ensure_topics({topic: 1}, settings)
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

    messages = _read_all(settings, topic, expected=5)
    assert [k for k, _v in messages] == [b"A0001", b"B0002", b"A0001", b"A0001", b"C0003"]
    assert messages[3][1] == b"20200322000006,A0001,1,0,F,N,6,A01"
    assert all(not v.endswith(b"\n") for _k, v in messages)


def test_truncated_file_is_read_from_the_start(kafka_service, tmp_path) -> None:
    settings = kafka_service
    topic = f"tail-test-{uuid.uuid4().hex[:8]}"
    ensure_topics({topic: 1}, settings)
    log = tmp_path / "d.log"
    state = tmp_path / "s.json"
    log.write_text(_line(0) + _line(2) + _line(4))
    TailAgent(log, settings=settings, topic=topic, state_file=state).poll()
    log.write_text(_line(10, "Z0001"))  # the simulator restarted the file (append=false)
    assert TailAgent(log, settings=settings, topic=topic, state_file=state).poll().sent == 1
    assert [k for k, _v in _read_all(settings, topic, expected=4)] == [b"A0001"] * 3 + [b"Z0001"]


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
