"""The status log against docs/data-formats.md#status-log: layout, formats, weights, sticky failures, determinism."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from simulator.cars import SimulatorError, fleet
from simulator.incidents import COMPONENTS, ForcedFailure, Incidents
from simulator.status_log import HEADER, RECORDS_PER_CAR, StatusGenerator, iter_status_lines
from tests.fixtures.line_formats import parse_lines

DATE = "20200322"
LINE = re.compile(
    r"^(\d{14}),([A-Z]\d{4}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),([12]),([12]),([12]),([12]),([ABC]),([ABC]),(\d{1,3})$"
)


def parse(lines: list[str]) -> list[tuple[str, ...]]:
    return parse_lines(LINE, lines)


@pytest.fixture(scope="module")
def day3() -> list[str]:
    return list(iter_status_lines(DATE, 3, seed=7))


def test_header_lines_then_21601_records_per_car(day3: list[str]) -> None:
    assert day3[:3] == [HEADER] * 3
    assert HEADER.startswith("SmartCar Status Information,CarNum,TireFL,")
    assert HEADER.split(",")[1:] == [
        "CarNum", "TireFL", "TireFR", "TireBL", "TireBR", "LightFL", "LightFR", "LightBL", "LightBR",
        "EngineInfo", "BreakInfo", "BatteryInfo",
    ]  # fmt: skip
    rows = parse(day3[3:])
    assert RECORDS_PER_CAR == 21_601
    per_car = Counter(r[1] for r in rows)
    assert sorted(per_car.values()) == [21_601] * 3
    assert set(per_car) == set(fleet(7, 3).numbers)
    assert sum(1 for line in day3 if not re.match(r"^\d{14}", line)) == 3  # only the headers fail Flume's filter


def test_timestamps_step_4_seconds_and_end_at_240000(day3: list[str]) -> None:
    rows = parse(day3[3:])
    car = rows[0][1]
    stamps = [r[0] for r in rows if r[1] == car]
    assert stamps[0] == f"{DATE}000000"
    assert stamps[1] == f"{DATE}000004"
    assert stamps[-2] == f"{DATE}235956"
    assert stamps[-1] == f"{DATE}240000"
    seconds = [int(s[8:10]) * 3600 + int(s[10:12]) * 60 + int(s[12:]) for s in stamps]
    assert np.all(np.diff(seconds) == 4)
    # interleaved by simulated time: all cars at one stamp before the next stamp
    assert [r[0] for r in rows[:6]] == [f"{DATE}000000"] * 3 + [f"{DATE}000004"] * 3


def test_band_weights_and_ranges() -> None:
    rows = parse(list(iter_status_lines(DATE, 8, seed=1, headers=False)))
    tires = np.array([[int(v) for v in r[2:6]] for r in rows]).ravel()
    battery = np.array([int(r[12]) for r in rows])
    engine = Counter(r[10] for r in rows)
    brake = Counter(r[11] for r in rows)
    assert tires.min() >= 0 and tires.max() <= 100 and battery.max() <= 100
    # A sticky failure freezes the rest of a car's day, so compare the healthy bands with each other.
    assert abs((tires >= 80).sum() / (tires >= 70).sum() - 80 / 99.9998) < 0.005
    assert abs((battery >= 80).sum() / (battery >= 50).sum() - 90 / 99.9998) < 0.005
    for codes in (engine, brake):
        assert abs(codes["A"] / (codes["A"] + codes["B"]) - 80 / 99.9998) < 0.005
    # uniform inside a band: each of 80..100 about 1/21 of the top band
    top = Counter(tires[tires >= 80].tolist())
    expected = (tires >= 80).sum() / 21
    assert set(top) == set(range(80, 101))
    assert all(abs(c - expected) / expected < 0.06 for c in top.values())
    # light 2 has weight 0.0002 of 100: a handful of (car, light) pairs fail over 8 car-days at most
    failed_lights = {(r[1], i) for r in rows for i in range(4) if r[6 + i] == "2"}
    assert len(failed_lights) <= 3


def _columns(gen: StatusGenerator) -> dict[str, np.ndarray]:
    blocks = list(gen.blocks())
    cols = {}
    for t in range(4):
        cols[COMPONENTS[t]] = np.concatenate([b.tires[t] for b in blocks], axis=1)
        cols[COMPONENTS[4 + t]] = np.concatenate([b.lights[t] for b in blocks], axis=1)
    cols["engine"] = np.concatenate([b.engine for b in blocks], axis=1)
    cols["break"] = np.concatenate([b.brake for b in blocks], axis=1)
    cols["battery"] = np.concatenate([b.battery for b in blocks], axis=1)
    return cols


FAILED = {
    "tire": lambda v: v <= 69,
    "light": lambda v: v == 2,
    "engine": lambda v: v == 2,
    "break": lambda v: v == 2,
    "battery": lambda v: v <= 49,
}


def _is_failed(component: str, values: np.ndarray) -> np.ndarray:
    return FAILED[component.split("_")[0]](values)


def test_natural_failures_are_sticky_and_as_rare_as_the_weights() -> None:
    cars = 40
    cols = _columns(StatusGenerator(DATE, cars, seed=3))
    failures = 0
    for name, values in cols.items():
        assert values.shape == (cars, RECORDS_PER_CAR)
        failed = _is_failed(name, values)
        for row in np.flatnonzero(failed.any(axis=1)):
            first = int(np.argmax(failed[row]))
            assert (values[row, first:] == values[row, first]).all(), (name, row)
            failures += 1
    # P(fail) = 2e-6 per record and component: 11 components x 21,601 records x 40 cars -> 19 expected
    assert 5 <= failures <= 40


def test_forced_failure_starts_at_its_time_and_stays() -> None:
    forced = (ForcedFailure(2, "tire_bl", 3600), ForcedFailure(1, "engine", 0), ForcedFailure(3, "battery", 86_400))
    gen = StatusGenerator(DATE, 3, seed=5, incidents=Incidents(failures=forced))
    cols = _columns(gen)
    plain = _columns(StatusGenerator(DATE, 3, seed=5))
    tire = cols["tire_bl"][1]
    assert not _is_failed("tire", tire[:900]).any()
    assert (tire[900:] == tire[900]).all() and tire[900] <= 69
    assert (cols["engine"][0] == 2).all()
    assert cols["battery"][2, -1] <= 49 and not (cols["battery"][2, :-1] <= 49).any()
    # everything else is untouched by the knob
    assert (cols["tire_fl"] == plain["tire_fl"]).all()
    assert (cols["tire_bl"][1, :900] == plain["tire_bl"][1, :900]).all()


def test_forced_failure_in_the_file_as_engine_c() -> None:
    inc = Incidents(failures=(ForcedFailure(1, "break", 4 * 10),))
    lines = list(iter_status_lines(DATE, 1, seed=0, incidents=inc, minutes=2, headers=False))
    brakes = [line.split(",")[11] for line in lines]
    assert "C" not in brakes[:10] and set(brakes[10:]) == {"C"}


def test_deterministic_and_keyed_by_seed_date_and_car() -> None:
    a = list(iter_status_lines(DATE, 3, seed=11, minutes=30))
    assert a == list(iter_status_lines(DATE, 3, seed=11, minutes=30))
    assert a != list(iter_status_lines(DATE, 3, seed=12, minutes=30))
    other_day = list(iter_status_lines("20200323", 3, seed=11, minutes=30))
    assert [line[14:] for line in a[3:]] != [line[14:] for line in other_day[3:]]
    # car i has the same records in a larger fleet, and a shorter run is a prefix of the day
    five = list(iter_status_lines(DATE, 5, seed=11, minutes=30, headers=False))
    assert [line for line in five if line.split(",")[1] in fleet(11, 3).numbers] == a[3:]
    assert list(iter_status_lines(DATE, 3, seed=11, minutes=10)) == a[: 3 + 3 * 150]


def test_minutes_limits_records() -> None:
    lines = list(iter_status_lines(DATE, 2, minutes=1, headers=False))
    assert len(lines) == 2 * 15
    assert lines[-1].startswith(f"{DATE}000056")


def test_malformed_rate_replaces_that_share_of_lines() -> None:
    plain = list(iter_status_lines(DATE, 4, seed=2, minutes=240, headers=False))
    bad = list(iter_status_lines(DATE, 4, seed=2, minutes=240, headers=False, incidents=Incidents(malformed_rate=0.05)))
    assert len(plain) == len(bad)
    changed = [b for p, b in zip(plain, bad, strict=True) if p != b]
    assert abs(len(changed) / len(bad) - 0.05) < 0.01
    assert all(re.match(r"^\d{14}", line) for line in changed)  # still pass the Flume filter
    assert not any(LINE.match(line) and _valid_stamp(line) for line in changed)


def _valid_stamp(line: str) -> bool:
    ts = line[:14]
    return 1 <= int(ts[4:6]) <= 12 and int(ts[8:10]) <= 24


@pytest.mark.parametrize(
    ("date", "cars"), [("2020032", 3), ("20201301", 3), ("20200230", 3), ("abc", 3), (DATE, 0), (DATE, -4)]
)
def test_bad_input_is_a_clear_error(date: str, cars: int) -> None:
    with pytest.raises(SimulatorError):
        next(iter_status_lines(date, cars))
