"""The window engine on hand-scripted streams whose alerts are known exactly."""

from __future__ import annotations

import dataclasses

import yaml

from simulator.scripted import scripted_lines
from smartcar.settings import REPO_ROOT
from streaming.detectors import DetectorEngine
from streaming.events import DrivingEvent, parse_line, timestamp_epoch
from streaming.rules import load_rule_file, validate_mapping
from tests.fixtures.stream_results import run_rules

RULES = REPO_ROOT / "include" / "rules"
START = "20200322100000"  # aligned to 30 s and 60 s windows
T0 = timestamp_epoch(START)


def events(pairs) -> list[DrivingEvent]:
    return [parse_line(line) for _, line in pairs]


def speeding_rule(threshold: float = 80, version: int = 1, **window):
    data = yaml.safe_load((RULES / "speeding.yaml").read_text())
    data["condition"]["value"] = threshold
    data["version"] = version
    data["window"].update(window)
    return validate_mapping(data, "speeding.yaml")


def test_speeding_windows_exactly():
    """A0001 speeds in window 2 only, A0002 in windows 1 and 3; A0003 never (avg exactly 80)."""

    def speed(car, t):
        window = t // 30
        if car == "A0001":
            return 120 if window == 1 else 50
        if car == "A0002":
            return 90 if window in (0, 2) else 60
        return 80

    alerts = run_rules(
        {"speeding": speeding_rule()}, events(scripted_lines(["A0001", "A0002", "A0003"], START, 90, speed))
    )
    got = sorted((a.car_number, a.window_start - T0, a.member, a.redis_key) for a in alerts)
    assert got == [
        ("A0001", 30, "A0001-20200322100058", "20200322"),
        ("A0002", 0, "A0002-20200322100028", "20200322"),
        ("A0002", 60, "A0002-20200322100128", "20200322"),
    ]
    a = next(a for a in alerts if a.car_number == "A0001")
    assert a.value == 120 and a.count == 15 and a.window_end - a.window_start == 30
    assert a.alert_id == "speeding:A0001:20200322100030"


def test_alert_names_the_car_that_sped_not_the_next_message():
    """The original EsperBolt emitted whichever car's message came next
    (docs/known-faults.md#speeding-alert-names-the-wrong-car)."""
    stream = events(scripted_lines(["B0001", "B0002"], START, 30, lambda c, t: 150 if c == "B0002" else 10))
    stream.append(parse_line("20200322100100,B0001,1,0,F,N,10,A01"))  # next message is B0001's
    alerts = run_rules({"speeding": speeding_rule()}, stream)
    assert [a.member for a in alerts] == ["B0002-20200322100028"]


def test_average_is_over_the_window_not_over_single_events():
    # one event of 250 and fourteen of 70: avg 82 > 80
    stream = events(scripted_lines(["C0001"], START, 30, lambda c, t: 250 if t == 0 else 70))
    (alert,) = run_rules({"speeding": speeding_rule()}, stream)
    assert round(alert.value, 3) == 82.0
    stream = events(scripted_lines(["C0001"], START, 30, lambda c, t: 250 if t == 0 else 67))  # avg 79.2
    assert run_rules({"speeding": speeding_rule()}, stream) == []


def test_out_of_order_within_grace_counts_and_late_is_counted_not_windowed():
    engine = DetectorEngine({"speeding": speeding_rule()})
    ok = events(scripted_lines(["D0001"], START, 30, lambda c, t: 100))
    engine.process(ok[::-1])  # reversed order inside the window
    later = events(scripted_lines(["D0001"], "20200322100100", 2, lambda c, t: 10))
    engine.process(later)
    alerts = engine.close_due(max(e.epoch for e in later))
    assert [a.window_start - T0 for a in alerts] == [0]
    assert alerts[0].last_timestamp == "20200322100028"  # the latest event time, whatever the order
    late = events(scripted_lines(["D0001"], START, 2, lambda c, t: 200))
    engine.process(late)
    assert engine.not_windowed()["late"] == {"speeding": 1}


def test_harsh_braking_counts_matching_events():
    rule = load_rule_file(RULES / "harsh_braking.yaml")

    def row(car, t):
        brakes = {"E0001": (0, 10, 20), "E0002": (0, 10)}.get(car, ())
        return (0, 3, "F", "N") if t in brakes else (1, 0, "F", "N")

    alerts = run_rules(
        {rule.name: rule}, events(scripted_lines(["E0001", "E0002"], START, 60, lambda c, t: 50, row=row))
    )
    assert [(a.car_number, a.count, a.redis_key) for a in alerts] == [("E0001", 3, "harsh_braking:20200322")]


def test_unsignalled_turns_sliding_window():
    rule = load_rule_file(RULES / "unsignalled_turns.yaml")

    def row(car, t):
        if car == "F0001" and t in (40, 50, 70, 80):  # 4 sharp unsignalled turns within 40 s
            return (1, 0, "L3", "N")
        if car == "F0002" and t in (40, 50, 70, 80):  # same turns, but signalled
            return (1, 0, "R3", "R")
        return (1, 0, "F", "N")

    alerts = run_rules(
        {rule.name: rule}, events(scripted_lines(["F0001", "F0002"], START, 180, lambda c, t: 50, row=row))
    )
    assert {a.car_number for a in alerts} == {"F0001"}
    # every 60 s window (10 s step) holding t = 40..80 fires once: starts 30, 40
    assert sorted(a.window_start - T0 for a in alerts) == [30, 40]
    assert all(a.value == 4 for a in alerts)


def test_rule_change_applies_from_the_next_window():
    """80 -> 100 while window [30, 60) is open: that window still uses 80, the next ones 100."""
    engine = DetectorEngine({"speeding": speeding_rule(80)})
    stream = events(scripted_lines(["G0001"], START, 150, lambda c, t: 90))
    first, rest = stream[:20], stream[20:]  # up to t = 38 s
    engine.process(first)
    alerts = engine.close_due(first[-1].epoch)
    engine.set_rules({"speeding": speeding_rule(100, version=2)})
    engine.process(rest)
    alerts += engine.close_due(rest[-1].epoch)  # closes up to [90, 120)
    assert sorted((a.window_start - T0, a.rule_version) for a in alerts) == [(0, 1), (30, 1)]
    # and with speeds of 110 the new version fires for the later windows
    engine.process(events(scripted_lines(["G0001"], "20200322100230", 60, lambda c, t: 110)))
    later = engine.close_due(T0 + 400)
    assert sorted((a.window_start - T0, a.rule_version) for a in later) == [(150, 2), (180, 2)]


def test_rule_change_does_not_lose_window_state_when_the_window_changes():
    engine = DetectorEngine({"speeding": speeding_rule(80)})
    stream = events(scripted_lines(["H0001"], START, 120, lambda c, t: 90))
    engine.process(stream[:10])  # t = 0..18 in window [0, 30)
    engine.set_rules({"speeding": speeding_rule(80, version=2, size_seconds=60)})
    engine.process(stream[10:])
    alerts = engine.close_due(stream[-1].epoch + 120)
    got = sorted((a.window_start - T0, a.window_end - a.window_start, a.rule_version, a.count) for a in alerts)
    assert got == [(0, 30, 1, 15), (60, 60, 2, 30)]  # [30, 60) is not part of either: v2 starts on its grid at 60


def test_processing_time_batch_like_esper():
    """time: processing groups by arrival wall clock (the original time_batch); event time ignored."""
    clock = [1000.0]
    rule = speeding_rule(time="processing")
    engine = DetectorEngine({"speeding": rule}, clock=lambda: clock[0])
    # events stamped 20 minutes apart arrive within one 30 s batch: one window
    engine.process(
        [parse_line("20200322100000,K0002,1,0,F,N,100,A01"), parse_line("20200322102000,K0002,1,0,F,N,90,A01")]
    )
    assert engine.close_due(None) == []
    clock[0] = 1031.0
    (alert,) = engine.close_due(None)
    assert alert.time_mode == "processing" and alert.value == 95
    assert alert.member == "K0002-20200322102000" and alert.window_start == 1000
    assert alert.alert_id.startswith("speeding:K0002:p")


def test_replay_from_floor_reproduces_the_same_alerts():
    """Crash model: restart replays events from the commit point with the stored floor."""
    rule = speeding_rule()
    stream = events(scripted_lines(["J0001", "J0002"], START, 300, lambda c, t: 100 if (t // 30) % 2 else 60))
    full = {(a.alert_id, a.member) for a in run_rules({"speeding": rule}, stream)}

    engine = DetectorEngine({"speeding": rule})
    cut = 180  # crash after 180 events
    seen: list = []
    for i in range(0, cut, 20):
        engine.process(stream[i : i + 20])
        seen += engine.close_due(stream[i + 19].epoch)
    floors = engine.floors()
    (floor,) = floors.values()
    # offsets of events with epoch >= floor are replayed; the rest were committed
    replay_from = min(i for i, e in enumerate(stream) if e.epoch >= floor)
    assert 0 < replay_from <= cut
    restarted = DetectorEngine({"speeding": rule})
    restarted.process(stream[replay_from:], floors)
    tail = restarted.close_due(stream[-1].epoch + 3600)
    assert {(a.alert_id, a.member) for a in seen + tail} == full
    # and nothing the restarted engine emits is a partial (wrong) window
    assert all(a.count == 15 for a in tail)


def test_alert_record_fields():
    rule = speeding_rule()
    (alert,) = run_rules({"speeding": rule}, events(scripted_lines(["K0001"], START, 30, lambda c, t: 99)))
    record = alert.as_record()
    assert record["window_start"] == "20200322100000" and record["window_end"] == "20200322100030"
    assert record["rule"] == "speeding" and record["rule_version"] == "1" and record["value"] == "99.000"
    assert dataclasses.asdict(alert)["ttl_seconds"] == 604800


def test_floor_is_unbounded_without_event_time_rules():
    engine = DetectorEngine({"speeding": speeding_rule(time="processing")})
    engine.process(events(scripted_lines(["M0001"], START, 30, lambda c, t: 100)))
    assert engine.floors() == {}  # the processor then commits everything it has written


def _marks(batch) -> dict[int, int]:
    """Per day, the newest event time of ``batch`` (what the processor's day clocks give)."""
    out: dict[int, int] = {}
    for e in batch:
        out[e.epoch // 86400] = max(out.get(e.epoch // 86400, 0), e.epoch)
    return out


def test_a_past_day_after_a_newer_one_is_windowed_exactly():
    """The newer day's clock does not make the older day late (one mark per day)."""
    speed = lambda c, t: 100 if (t // 30) % 2 else 60  # noqa: E731
    newer = events(scripted_lines(["N0001"], "20200325100000", 120, speed))
    older = events(scripted_lines(["N0001"], "20200322100000", 120, speed))
    engine = DetectorEngine({"speeding": speeding_rule()})
    got = []
    for batch in (newer, older):
        for i in range(0, len(batch), 10):
            engine.process(batch[i : i + 10])
            got += engine.close_due(_marks(batch[i : i + 10]))
    got += engine.close_due(_marks(older), idle_advance=60) + engine.close_due(_marks(newer), idle_advance=60)
    assert sorted(a.alert_id for a in got) == sorted(
        a.alert_id for a in run_rules({"speeding": speeding_rule()}, newer + older)
    )
    assert len(got) == 4 and engine.not_windowed()["late"] == {"speeding": 0}


def test_a_rule_change_cuts_over_per_day_and_a_day_never_seen_is_the_new_version_s():
    engine = DetectorEngine({"speeding": speeding_rule(80)})
    today = events(scripted_lines(["V0001"], "20200325100000", 40, lambda c, t: 90))
    engine.process(today)
    alerts = engine.close_due(_marks(today))  # closes [0, 30); [30, 60) stays open
    engine.set_rules({"speeding": speeding_rule(100, version=2)})
    past = events(scripted_lines(["V0001"], "20200322100000", 60, lambda c, t: 90))
    engine.process(past)
    alerts += engine.close_due(_marks(past), idle_advance=60) + engine.close_due(_marks(today), idle_advance=60)
    # today: both windows open at the change stay v1 (90 > 80); the past day is all v2 (90 < 100)
    assert sorted((a.window_start - timestamp_epoch("20200325100000"), a.rule_version) for a in alerts) == [
        (0, 1),
        (30, 1),
    ]
