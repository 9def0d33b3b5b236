"""The driving log against docs/data-formats.md#driving-log: layout, weights, wild drivers, areas, congestion, speed."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from simulator.cars import AREA_GROUPS, fleet, wild_indices
from simulator.driving_log import (
    ACC_ADD,
    BRK_SUB,
    HEADER,
    RECORDS_PER_CAR,
    DrivingGenerator,
    iter_driving_events,
    iter_driving_lines,
)
from simulator.incidents import ForcedSpeeding, Incidents
from tests.fixtures.line_formats import parse_lines

DATE = "20200322"
LINE = re.compile(r"^(\d{14}),([A-Z]\d{4}),([0-5]),([0-3]),(F|L[123]|R[123]),([NLR]),(\d{1,3}),([A-F](?:0[1-9]|10))$")


def parse(lines: list[str]) -> list[tuple[str, ...]]:
    return parse_lines(LINE, lines)


def by_car(rows: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for r in rows:
        out.setdefault(r[1], []).append(r)
    return out


@pytest.fixture(scope="module")
def mixed_day() -> tuple[DrivingGenerator, list[str]]:
    """Six cars, half of them wild, a whole day."""
    gen = DrivingGenerator(DATE, 6, seed=4, incidents=Incidents(wild_share=0.5))
    lines = [line for block in gen.line_blocks() for line in block]
    return gen, lines


def test_43201_records_per_car_every_2_seconds_to_240000(mixed_day) -> None:
    gen, lines = mixed_day
    assert RECORDS_PER_CAR == 43_201
    cars = by_car(parse(lines))
    assert sorted(cars) == sorted(gen.fleet.numbers)
    for rows in cars.values():
        assert len(rows) == 43_201
        assert rows[0][0] == f"{DATE}000000" and rows[1][0] == f"{DATE}000002"
        assert rows[-2][0] == f"{DATE}235958" and rows[-1][0] == f"{DATE}240000"
    assert [r[0] for r in parse(lines[:12])] == [f"{DATE}000000"] * 6 + [f"{DATE}000002"] * 6


def test_headers_only_when_asked() -> None:
    assert HEADER == "Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum"
    plain = list(iter_driving_lines(DATE, 3, minutes=1))
    assert all(LINE.match(line) for line in plain) and len(plain) == 90
    with_headers = list(iter_driving_lines(DATE, 3, minutes=1, headers=True))
    assert with_headers[:3] == [HEADER] * 3 and with_headers[3:] == plain


def test_field_rules_per_car(mixed_day) -> None:
    gen, lines = mixed_day
    wild = {gen.fleet.number(i + 1) for i, w in enumerate(gen.fleet.wild) if w}
    assert len(wild) == 3
    for car, rows in by_car(parse(lines)).items():
        index = gen.fleet.numbers.index(car)
        group = AREA_GROUPS[gen.fleet.groups[index]]
        assert {r[7][0] for r in rows} == {group}  # one fixed group per car
        areas = Counter(r[7] for r in rows)
        assert len(areas) == 10 and min(areas.values()) > 43_201 / 10 * 0.9  # fresh uniform pick
        assert all(r[3] == "0" for r in rows if r[2] != "0")  # brake only without accelerator
        speeds = [int(r[6]) for r in rows]
        assert min(speeds) >= 0 and max(speeds) <= 250
        if car not in wild:  # normal drivers signal as they steer
            assert all(r[5] == {"F": "N", "L": "L", "R": "R"}[r[4][0]] for r in rows)


def _shares(values: list[str], keys: list[str]) -> list[float]:
    counts = Counter(values)
    return [counts[k] / len(values) for k in keys]


def test_weights_normal_and_wild(mixed_day) -> None:
    gen, lines = mixed_day
    rows = parse(lines)
    wild = {gen.fleet.number(i + 1) for i, w in enumerate(gen.fleet.wild) if w}
    for is_wild, acc_w, brk_w, wheel_w in (
        (False, (30, 30, 10, 20, 5, 5), (30, 45, 20, 5), (70, 5, 5, 5, 5, 5, 5)),
        (True, (10, 10, 10, 30, 25, 15), (10, 10, 50, 30), (40, 10, 10, 10, 10, 10, 10)),
    ):
        sel = [r for r in rows if (r[1] in wild) == is_wild]
        for got, want in zip(_shares([r[2] for r in sel], list("012345")), acc_w, strict=True):
            assert abs(got - want / 100) < 0.01
        braking = [r[3] for r in sel if r[2] == "0"]
        for got, want in zip(_shares(braking, list("0123")), brk_w, strict=True):
            assert abs(got - want / 100) < 0.015
        wheels = ["F", "L1", "L2", "L3", "R1", "R2", "R3"]
        for got, want in zip(_shares([r[4] for r in sel], wheels), wheel_w, strict=True):
            assert abs(got - want / 100) < 0.01
        if is_wild:  # wild drivers draw the signal on their own: N 60, L 20, R 20
            for got, want in zip(_shares([r[5] for r in sel], ["N", "L", "R"]), (60, 20, 20), strict=True):
                assert abs(got - want / 100) < 0.01


def _reference_speeds(gen: DrivingGenerator) -> tuple[np.ndarray, np.ndarray, list]:
    """Re-run the spec's rule record by record in plain Python from the drawn steps."""
    blocks = list(gen.blocks())
    acc = np.concatenate([b.acc for b in blocks])
    brake = np.concatenate([b.brake for b in blocks])
    cong = np.concatenate([b.congested for b in blocks])
    wild = np.concatenate([b.wild for b in blocks])
    speed = np.concatenate([b.speed for b in blocks])
    expected = np.empty_like(speed)
    for car in range(acc.shape[1]):
        s = 0
        for k in range(acc.shape[0]):
            w = bool(wild[k, car])
            s = min(s + ACC_ADD[w][acc[k, car]], 250)
            if cong[k, car]:
                s = int(s * 0.3)
            s = max(s - BRK_SUB[w][brake[k, car]], 0)
            expected[k, car] = s
    return speed, expected, [cong, wild]


def test_speed_follows_the_rule_with_congestion_cuts() -> None:
    gen = DrivingGenerator(DATE, 3, seed=9, incidents=Incidents(wild_share=1 / 3))
    speed, expected, (cong, _wild) = _reference_speeds(gen)
    assert (speed == expected).all()
    assert abs(cong.mean() - 0.1) < 0.005  # one congested code of the ten in each group


def test_mean_speeds_match_the_spec_estimates(mixed_day) -> None:
    gen, _lines = mixed_day
    blocks = list(gen.blocks())
    speed = np.concatenate([b.speed for b in blocks])
    wild = np.concatenate([b.wild for b in blocks])
    cong = np.concatenate([b.congested for b in blocks])
    assert 58 < speed[~wild].mean() < 72  # docs/data-formats.md#expected-speeds: about 65 km/h
    assert 155 < speed[wild].mean() < 177  # about 166 km/h
    # 30-second windows at real-time pace hold 300 records per car: about 14 % of a normal
    # driver's windows average above 80, essentially all of a wild driver's
    normal_shares = []
    for car in range(speed.shape[1]):
        windows = speed[: 300 * 144, car].reshape(-1, 300).mean(axis=1)
        share = (windows > 80).mean()
        if wild[0, car]:
            assert share > 0.99
        else:
            assert 0.04 < share < 0.3
            normal_shares.append(share)
    assert 0.08 < np.mean(normal_shares) < 0.22
    # congestion effect: a congested record is much slower than the others
    assert speed[cong].mean() < 0.5 * speed[~cong].mean()


def test_wild_share_default_rule() -> None:
    assert wild_indices(0, 9) == frozenset()  # floor(0.1 * 9) = 0 draws
    for seed in range(20):
        wild = wild_indices(seed, 100)
        assert 1 <= len(wild) <= 10 and all(1 <= i <= 100 for i in wild)
    mean = np.mean([len(wild_indices(s, 100)) for s in range(200)])
    # distinct values among 10 draws with replacement from 100: 100 * (1 - 0.99**10) = 9.56
    assert abs(mean - 9.56) < 0.25
    assert len(wild_indices(3, 40, share=0.25)) == 10


def test_wild_drivers_detectable_in_the_data() -> None:
    """Only wild drivers signal without steering; their share is the configured one."""
    lines = list(iter_driving_lines(DATE, 20, seed=6, minutes=60, incidents=Incidents(wild_share=0.3)))
    signalling = {r[1] for r in parse(lines) if r[4] == "F" and r[5] != "N"}
    expected = {fleet(6, 20, 0.3).number(i + 1) for i, w in enumerate(fleet(6, 20, 0.3).wild) if w}
    assert signalling == expected and len(expected) == 6


def test_forced_speeding_window() -> None:
    gen = DrivingGenerator(
        DATE, 2, seed=1, incidents=Incidents(wild_share=0.0, speeding=(ForcedSpeeding(2, 3600, 7199),))
    )
    speed = np.concatenate([b.speed for b in gen.blocks(minutes=180)])
    assert speed[1800:3600, 1].mean() > 140  # wild weights in the window
    assert speed[3700:5400, 1].mean() < 90
    assert speed[1800:3600, 0].mean() < 90


def test_events_are_keyed_by_car_number() -> None:
    events = list(iter_driving_events(DATE, 4, seed=2, minutes=2))
    assert len(events) == 4 * 60
    assert all(line.split(",")[1] == key for key, line in events)
    assert [line for _k, line in events] == list(iter_driving_lines(DATE, 4, seed=2, minutes=2))


def test_deterministic_and_consistent_with_the_status_fleet() -> None:
    a = list(iter_driving_lines(DATE, 5, seed=3, minutes=20))
    assert a == list(iter_driving_lines(DATE, 5, seed=3, minutes=20))
    assert a != list(iter_driving_lines(DATE, 5, seed=4, minutes=20))
    assert list(iter_driving_lines(DATE, 5, seed=3, minutes=5)) == a[: 5 * 150]
    from simulator.status_log import iter_status_lines

    status_cars = {line.split(",")[1] for line in iter_status_lines(DATE, 5, seed=3, minutes=1, headers=False)}
    assert status_cars == {line.split(",")[1] for line in a}


def test_malformed_lines_pass_the_flume_filter_but_not_a_parser() -> None:
    plain = list(iter_driving_lines(DATE, 5, seed=8, minutes=120))
    bad = list(iter_driving_lines(DATE, 5, seed=8, minutes=120, incidents=Incidents(malformed_rate=0.02)))
    changed = [(p, b) for p, b in zip(plain, bad, strict=True) if p != b]
    assert abs(len(changed) / len(bad) - 0.02) < 0.005
    kinds = Counter()
    for p, b in changed:
        assert re.match(r"^\d{14}", b) and not (LINE.match(b) and _valid_stamp(b))
        pf, bf = p.split(","), b.split(",")
        if len(pf) != len(bf):
            kinds["field_count"] += 1
        elif pf[0] != bf[0]:
            kinds["timestamp"] += 1
        elif "x" in bf:
            kinds["non_numeric"] += 1
        else:
            kinds["unknown_code"] += 1
    assert set(kinds) == {"field_count", "timestamp", "non_numeric", "unknown_code"}


def _valid_stamp(line: str) -> bool:
    ts = line[:14]
    return 1 <= int(ts[4:6]) <= 12 and int(ts[8:10]) <= 24


def test_start_skips_earlier_records_but_keeps_the_speed_history() -> None:
    knobs = Incidents(malformed_rate=0.01)
    day = list(iter_driving_lines(DATE, 3, seed=5, minutes=180, incidents=knobs))
    late = list(iter_driving_lines(DATE, 3, seed=5, start=3 * 3600 - 60, minutes=2, incidents=knobs))
    begin = (3 * 3600 - 60) // 2 * 3
    assert late[0].startswith(f"{DATE}025900") and len(late) == 3 * 60
    assert day[begin:] == late[:90]  # the same records as the whole run, malformed ones included
    end_of_day = list(iter_driving_lines(DATE, 2, seed=5, start=86_398))
    assert [line[:14] for line in end_of_day] == [f"{DATE}235958"] * 2 + [f"{DATE}240000"] * 2
