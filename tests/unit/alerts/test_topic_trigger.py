"""The alert-topic watcher: which messages become events, and that the triggerer can rebuild it."""

from __future__ import annotations

import asyncio
import importlib
import json

from smartcar.airflow.alert_topic_trigger import AlertTopicTrigger, parse_alert


def _alert(rule: str, car: str = "A0001", start: str = "20200324010000") -> bytes:
    record = {"id": f"{rule}:{car}:{start}", "rule": rule, "car_number": car, "window_start": start,
              "window_end": start[:-2] + "30", "value": "93.500", "count": "30"}  # fmt: skip
    return json.dumps(record).encode()


async def _stream(values: list[bytes | None]):
    for value in values:
        yield value


def _events(trigger: AlertTopicTrigger, values: list[bytes | None]) -> list[dict]:
    async def collect() -> list[dict]:
        return [e.payload async for e in trigger.filter_shared_stream(_stream(values))]

    return asyncio.run(collect())


def test_only_alerts_of_the_response_rules_fire() -> None:
    trigger = AlertTopicTrigger(topics=["SmartCar-Alerts"], rules=["speeding"])
    values = [_alert("speeding"), _alert("harsh_braking"), _alert("speeding", car="B0002")]
    assert [e["car_number"] for e in _events(trigger, values)] == ["A0001", "B0002"]


def test_one_event_per_rule_car_and_day_with_its_first_alert() -> None:
    trigger = AlertTopicTrigger(topics=["SmartCar-Alerts"], rules=["speeding", "harsh_braking"])
    values = [
        _alert("speeding", start="20200324010000"),
        _alert("speeding", start="20200324010030"),  # same car and day: already announced
        _alert("harsh_braking", start="20200324010030"),  # another rule
        _alert("speeding", start="20200325000000"),  # the next day
        _alert("speeding", car="B0002", start="20200324020000"),
        _alert("speeding", start="20200325000030"),
    ]
    fired = [(e["rule"], e["car_number"], e["window_start"]) for e in _events(trigger, values)]
    assert fired == [
        ("speeding", "A0001", "20200324010000"),
        ("harsh_braking", "A0001", "20200324010030"),
        ("speeding", "A0001", "20200325000000"),
        ("speeding", "B0002", "20200324020000"),
    ]


def test_memory_is_bounded_to_the_last_days() -> None:
    from smartcar.airflow.alert_topic_trigger import DAYS_KEPT, FirstPerCarDay

    seen = FirstPerCarDay()
    days = [f"202003{d:02d}" for d in range(1, 11)]
    assert all(seen.first(json.loads(_alert("speeding", start=f"{d}000000"))) for d in days)
    assert len(seen._days) == DAYS_KEPT
    assert not seen.first(json.loads(_alert("speeding", start=f"{days[-1]}120000")))


def test_messages_that_are_no_alert_fire_nothing() -> None:
    """Broken JSON, a tombstone, a record without the alert fields: rejected (dead-lettered in ack mode)."""
    trigger = AlertTopicTrigger(topics=["SmartCar-Alerts"], rules=["speeding"])
    broken = [b"{not json", None, json.dumps({"rule": "speeding"}).encode(), b"\xff\xfe", b"[1, 2]"]
    assert _events(trigger, [*broken, _alert("speeding")]) == [json.loads(_alert("speeding"))]
    assert all(parse_alert(v) is None for v in broken)


def test_the_triggerer_rebuilds_the_same_trigger_from_its_serialization() -> None:
    trigger = AlertTopicTrigger(topics=["SmartCar-Alerts"], rules=["speeding", "harsh_braking"], dlq_topic="dlq")
    path, kwargs = trigger.serialize()
    module, _, name = path.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)
    assert type(rebuilt) is AlertTopicTrigger
    assert rebuilt.serialize() == (path, kwargs)
    assert kwargs["rules"] == ["harsh_braking", "speeding"] and kwargs["dlq_topic"] == "dlq"
    # triggers on the same topic share the provider's one consumer, whatever their rules
    assert rebuilt.shared_stream_key() == AlertTopicTrigger(topics=["SmartCar-Alerts"], rules=["x"]).shared_stream_key()


def test_a_run_reads_later_events_from_its_first_triggering_one() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from smartcar.airflow.alert_response import first_timestamp

    early, late = datetime(2020, 3, 24, 1, tzinfo=UTC), datetime(2020, 3, 24, 2, tzinfo=UTC)
    events = {"a": [SimpleNamespace(timestamp=late)], "b": [SimpleNamespace(timestamp=early)]}
    assert first_timestamp(events) == early
    assert first_timestamp({}) is None and first_timestamp(None) is None
