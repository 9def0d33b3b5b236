"""Driver driving log (docs/data-formats.md#driving-log): 8 comma-separated fields every 2 simulated seconds per car.

Per record, in the original's order: accelerator step (speed up, cap 250, congestion cut to 30 %
when a separately drawn area code of the car's group is the group's congested code), brake step
(only when the accelerator is 0; floor 0), steering, turn signal (normal drivers signal as they
steer, wild drivers draw it), speed, and a fresh area code from the car's group. Wild drivers
(``floor(0.1 N)`` indices drawn with replacement) use the aggressive weights all day.

All random draws of one (car, simulated hour) come from their own stream and are drawn at once;
only the speed recurrence runs step by step, vectorised over cars through a lookup table
(next speed = table[operation, speed]), so a day for 100 cars takes about a second. Records are
interleaved by simulated time, as lock-stepped car threads would append them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.cars import (
    AREA_GROUPS,
    SECONDS_PER_DAY,
    Fleet,
    SimulatorError,
    check_cars,
    fleet,
    parse_date,
    rng_for,
    steps_for_minutes,
    timestamps,
)
from simulator.incidents import Incidents, corrupt, wild_mask
from simulator.weighted import choose

STEP_SECONDS = 2
RECORDS_PER_CAR = SECONDS_PER_DAY // STEP_SECONDS + 1  # 43,201
BLOCK_STEPS = 1800  # one simulated hour
WALL_SECONDS_PER_STEP = 0.1
"""The original's car threads slept 100 ms per record: real-time pace is 20x simulated time."""
HEADER = "Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum"
FILE_PREFIX = "SmartCarDriverInfo"
SPEED_CAP = 250
CONGESTION_FACTOR = 0.3

ACC_WEIGHTS = {False: (30, 30, 10, 20, 5, 5), True: (10, 10, 10, 30, 25, 15)}
ACC_ADD = {False: (0, 5, 10, 15, 20, 25), True: (0, 5, 10, 20, 30, 40)}
BRK_WEIGHTS = {False: (30, 45, 20, 5), True: (10, 10, 50, 30)}
BRK_SUB = {False: (0, 10, 20, 30), True: (0, 5, 10, 20)}
WHEEL = ("F", "L1", "L2", "L3", "R1", "R2", "R3")
WHEEL_WEIGHTS = {False: (70, 5, 5, 5, 5, 5, 5), True: (40, 10, 10, 10, 10, 10, 10)}
LIGHT = ("N", "L", "R")
WILD_LIGHT_WEIGHTS = (60, 20, 20)
NORMAL_LIGHT_FOR_WHEEL = np.array([0, 1, 1, 1, 2, 2, 2], dtype=np.int8)  # F->N, L*->L, R*->R
CONGESTED = {"A": 10, "B": 2, "C": 4, "D": 5, "E": 10, "F": 6}
"""Congested area code per group: A10, B02, C04, D05, E10, F06."""

_ADDS = sorted(set(ACC_ADD[False]) | set(ACC_ADD[True]))
_SUBS = sorted(set(BRK_SUB[False]) | set(BRK_SUB[True]))
_STATES = SPEED_CAP + 1


def _transition_table() -> np.ndarray:
    """Flat ``next_speed[(add, congested, sub) operation * 251 + speed]`` (Java double semantics)."""
    table = np.empty(len(_ADDS) * 2 * len(_SUBS) * _STATES, dtype=np.int32)
    for a, add in enumerate(_ADDS):
        for cong in (0, 1):
            for b, sub in enumerate(_SUBS):
                op = (a * 2 + cong) * len(_SUBS) + b
                for speed in range(_STATES):
                    s = min(speed + add, SPEED_CAP)
                    if cong:
                        s = int(s * CONGESTION_FACTOR)
                    table[op * _STATES + speed] = max(s - sub, 0)
    return table


_NEXT = _transition_table()
_ADD_INDEX = {w: np.array([_ADDS.index(v) for v in ACC_ADD[w]], dtype=np.int32) for w in (False, True)}
_SUB_INDEX = {w: np.array([_SUBS.index(v) for v in BRK_SUB[w]], dtype=np.int32) for w in (False, True)}
_PEDALS = [f"{a},{b},{WHEEL[w]},{LIGHT[li]}" for a in range(6) for b in range(4) for w in range(7) for li in range(3)]
_SPEEDS = [str(s) for s in range(_STATES)]
_AREAS = [f"{g}{k:02d}" for g in AREA_GROUPS for k in range(1, 11)]


@dataclass
class DrivingBlock:
    """One block of records as ``(steps, cars)`` arrays, time-major like the output."""

    first_step: int
    acc: np.ndarray
    brake: np.ndarray
    wheel: np.ndarray
    light: np.ndarray
    speed: np.ndarray
    area: np.ndarray  # 1..10 within the car's group
    congested: np.ndarray
    wild: np.ndarray

    @property
    def steps(self) -> int:
        return self.acc.shape[0]


class DrivingGenerator:
    """One day of driving records for a fleet; iterate :meth:`blocks` once, in order."""

    def __init__(self, date: str, cars: int, seed: int = 0, incidents: Incidents | None = None) -> None:
        self.date = parse_date(date)
        self.incidents = incidents or Incidents()
        self.fleet: Fleet = fleet(seed, check_cars(cars), self.incidents.wild_share)
        self.incidents.check_fleet(cars)
        self.seed = seed
        self._stamps = timestamps(self.date, STEP_SECONDS)
        self._groups = np.array(self.fleet.groups, dtype=np.int64)
        self._congested_code = np.array([CONGESTED[AREA_GROUPS[g]] for g in self.fleet.groups], dtype=np.int8)

    def _draw(self, block: int, first: int, steps: int, speed: np.ndarray) -> DrivingBlock:
        cars = self.fleet.size
        u = np.empty((6, steps, cars))
        for i in range(cars):
            u[:, :, i] = rng_for(self.seed, "driving", int(self.date), i + 1, block).random((6, steps))
        seconds = np.arange(first, first + steps, dtype=np.int64) * STEP_SECONDS
        wild = wild_mask(self.fleet, self.incidents, seconds).T  # (steps, cars)
        acc = np.where(wild, choose(u[0], ACC_WEIGHTS[True]), choose(u[0], ACC_WEIGHTS[False]))
        add = np.where(wild, _ADD_INDEX[True][acc], _ADD_INDEX[False][acc])
        congested = (u[1] * 10).astype(np.int8) + 1 == self._congested_code
        brake = np.where(wild, choose(u[2], BRK_WEIGHTS[True]), choose(u[2], BRK_WEIGHTS[False]))
        brake = np.where(acc == 0, brake, 0).astype(np.int8)
        sub = np.where(wild, _SUB_INDEX[True][brake], _SUB_INDEX[False][brake])
        wheel = np.where(wild, choose(u[3], WHEEL_WEIGHTS[True]), choose(u[3], WHEEL_WEIGHTS[False]))
        light = np.where(wild, choose(u[4], WILD_LIGHT_WEIGHTS), NORMAL_LIGHT_FOR_WHEEL[wheel])
        area = (u[5] * 10).astype(np.int8) + 1

        ops = (((add * 2 + congested) * len(_SUBS) + sub) * _STATES).astype(np.int64)
        speeds = np.empty((steps, cars), dtype=np.int64)
        s = speed
        nxt = _NEXT
        for k in range(steps):
            s = nxt[ops[k] + s]
            speeds[k] = s
        speed[:] = s
        return DrivingBlock(first, acc, brake, wheel, light, speeds, area, congested, wild)

    def blocks(self, minutes: float | None = None, start: int = 0) -> Iterator[DrivingBlock]:
        """Blocks of one simulated hour (the last holds the ``240000`` record).

        ``start`` (seconds of day) skips earlier records and ``minutes`` limits the simulated
        span from there; skipped hours are still simulated, so speeds carry on exactly.
        """
        if not 0 <= start <= SECONDS_PER_DAY:
            raise SimulatorError(f"start must be within the day (0..86400 s), got {start}")
        begin = -(-start // STEP_SECONDS)
        end = min(begin + steps_for_minutes(STEP_SECONDS, minutes), RECORDS_PER_CAR)
        speed = np.zeros(self.fleet.size, dtype=np.int64)
        for block, first in enumerate(range(0, RECORDS_PER_CAR, BLOCK_STEPS)):
            if first >= end:
                return
            data = self._draw(block, first, min(BLOCK_STEPS, RECORDS_PER_CAR - first), speed)
            lo, hi = max(begin - first, 0), min(end - first, data.steps)
            if lo >= hi:
                continue
            if (lo, hi) != (0, data.steps):
                data = DrivingBlock(
                    first + lo,
                    *(getattr(data, f)[lo:hi] for f in ("acc", "brake", "wheel", "light", "speed", "area")),
                    data.congested[lo:hi],
                    data.wild[lo:hi],
                )
            yield data

    def format_block(self, data: DrivingBlock, block: int) -> list[str]:
        """Lines of a block, time-major: all cars at one stamp, then the next stamp."""
        pedals = ((((data.acc.astype(np.int32) * 4 + data.brake) * 7 + data.wheel) * 3) + data.light).ravel().tolist()
        speeds = data.speed.ravel().tolist()
        areas = (self._groups * 10 + data.area - 1).ravel().tolist()
        stamps = self._stamps[data.first_step : data.first_step + data.steps]
        cars = self.fleet.numbers
        prefixes = [f"{ts},{car}," for ts in stamps for car in cars]
        ped, spd, are = _PEDALS, _SPEEDS, _AREAS
        lines = [f"{p}{ped[a]},{spd[s]},{are[r]}" for p, a, s, r in zip(prefixes, pedals, speeds, areas, strict=True)]
        if self.incidents.malformed_rate > 0:
            self._inject_malformed(lines, block, data.first_step - block * BLOCK_STEPS, data.steps)
        return lines

    def _inject_malformed(self, lines: list[str], block: int, offset: int, steps: int) -> None:
        cars = self.fleet.size
        for i in range(cars):
            draws = rng_for(self.seed, "driving-malformed", int(self.date), i + 1, block).random((3, BLOCK_STEPS))
            u = draws[:, offset : offset + steps]
            for k in np.flatnonzero(u[0] < self.incidents.malformed_rate):
                j = int(k) * cars + i
                lines[j] = corrupt(lines[j], int(u[1, k] * 4), float(u[2, k]))

    def line_blocks(self, minutes: float | None = None, start: int = 0) -> Iterator[list[str]]:
        for data in self.blocks(minutes, start):
            yield self.format_block(data, data.first_step // BLOCK_STEPS)

    def headers(self) -> list[str]:
        return [HEADER] * self.fleet.size

    def keys(self, steps: int) -> list[str]:
        """Kafka keys (car numbers) matching a block's lines."""
        return list(self.fleet.numbers) * steps


def iter_driving_lines(
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    minutes: float | None = None,
    start: int = 0,
    headers: bool = False,
) -> Iterator[str]:
    """Driving records interleaved by simulated time (header lines only when ``headers``).

    ``start`` is the first simulated second of day to emit, ``minutes`` the span from there.
    """
    gen = DrivingGenerator(date, cars, seed, incidents)
    if headers:
        yield from gen.headers()
    for block in gen.line_blocks(minutes, start):
        yield from block


def iter_driving_events(
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    minutes: float | None = None,
    start: int = 0,
) -> Iterator[tuple[str, str]]:
    """``(car number, line)`` pairs: the Kafka key and value of each record."""
    gen = DrivingGenerator(date, cars, seed, incidents)
    for block in gen.line_blocks(minutes, start):
        yield from zip(gen.keys(len(block) // gen.fleet.size), block, strict=True)


def records_in_span(minutes: float | None = None, start: int = 0) -> int:
    """Records per car that ``minutes`` from second ``start`` hold (the whole rest of the day if None)."""
    begin = -(-start // STEP_SECONDS)
    return max(min(begin + steps_for_minutes(STEP_SECONDS, minutes), RECORDS_PER_CAR) - begin, 0)


def driving_file_name(date: str, run_id: str) -> str:
    """``SmartCarDriverInfo_<date>_<runid>.log`` for a complete day in a spool directory."""
    return f"{FILE_PREFIX}_{parse_date(date)}_{run_id}.log"


def write_driving_file(
    directory: str | Path,
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    minutes: float | None = None,
    start: int = 0,
    run_id: str | None = None,
    final_name: str | None = None,
    on_lines: Callable[[int], None] | None = None,
) -> Path:
    """Write a complete driving log (headers + records) atomically into ``directory``."""
    from simulator.sinks import new_run_id, write_spool_lines

    gen = DrivingGenerator(date, cars, seed, incidents)
    name = final_name or driving_file_name(gen.date, run_id or new_run_id())

    return write_spool_lines(gen.headers(), gen.line_blocks(minutes, start), directory, name, on_lines)


__all__ = [
    "HEADER",
    "RECORDS_PER_CAR",
    "DrivingGenerator",
    "driving_file_name",
    "iter_driving_events",
    "iter_driving_lines",
    "write_driving_file",
]
