"""Car status log (docs/data-formats.md#status-log): 13 comma-separated fields every 4 simulated seconds per car.

Every car emits records for seconds 0, 4, ..., 86,400 (21,601 records, the last stamped
``<date>240000``), after one header line per car. Tires, lights, engine, brake and battery are
drawn from the original weights; a failure (tire <= 69, light 2, engine/brake C, battery <= 49)
is sticky for the rest of the run.

The day is generated in blocks of one simulated hour, vectorised over cars with numpy; each
(car, block) has its own random stream, so the output does not depend on the fleet size or on how
it is read. Lines are interleaved by simulated time (all cars at 00:00:00, then at 00:00:04 ...)
as lock-stepped car threads would write them, with all header lines first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.cars import Fleet, SimulatorError, check_cars, fleet, parse_date, rng_for, steps_for_minutes, timestamps
from simulator.incidents import COMPONENTS, Incidents, corrupt
from simulator.weighted import Bands, choose, make_sticky

STEP_SECONDS = 4
RECORDS_PER_CAR = 86_400 // STEP_SECONDS + 1  # 21,601
BLOCK_STEPS = 900  # one simulated hour
HEADER = (
    "SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,"
    "LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo"
)
FILE_PREFIX = "SmartCarStatusInfo"

TIRE = Bands(((80, 100), (70, 79), (0, 69)), (80, 19.9998, 0.0002))
BATTERY = Bands(((80, 100), (50, 79), (0, 49)), (90, 9.9998, 0.0002))
LIGHT_WEIGHTS = (99.9998, 0.0002)  # "1", "2"
CODE_WEIGHTS = (80, 19.9998, 0.0002)  # "A", "B", "C"
CODES = "ABC"

_TIRE_PAIRS = [f"{a},{b}" for a in range(101) for b in range(101)]
_LIGHTS_CODES = [
    f"{l1},{l2},{l3},{l4},{e},{b}"
    for l1 in (1, 2)
    for l2 in (1, 2)
    for l3 in (1, 2)
    for l4 in (1, 2)
    for e in CODES
    for b in CODES
]
_NUMBERS = [str(i) for i in range(101)]


@dataclass
class StatusBlock:
    """Fields of one block as ``(cars, steps)`` arrays (lights 1/2, engine/brake 0..2 = A..C)."""

    first_step: int
    tires: np.ndarray  # (4, cars, steps)
    lights: np.ndarray  # (4, cars, steps)
    engine: np.ndarray
    brake: np.ndarray
    battery: np.ndarray


class StatusGenerator:
    """One day of status records for a fleet; iterate :meth:`blocks` once, in order."""

    def __init__(self, date: str, cars: int, seed: int = 0, incidents: Incidents | None = None) -> None:
        self.date = parse_date(date)
        self.incidents = incidents or Incidents()
        self.fleet: Fleet = fleet(seed, check_cars(cars), self.incidents.wild_share)
        self.incidents.check_fleet(cars)
        self.seed = seed
        self._stamps = timestamps(self.date, STEP_SECONDS)

    def _draw(self, block: int, first: int, steps: int, carry: np.ndarray) -> StatusBlock:
        cars = self.fleet.size
        u = np.empty((cars, 16, steps))
        for i in range(cars):
            u[i] = rng_for(self.seed, "status", int(self.date), i + 1, block).random((16, steps))
        tires = np.empty((4, cars, steps), dtype=np.int16)
        tire_fail = np.empty((4, cars, steps), dtype=bool)
        for t in range(4):
            band, tires[t] = TIRE.draw(u[:, 2 * t], u[:, 2 * t + 1])
            tire_fail[t] = band == 2
        lights = (choose(u[:, 8:12], LIGHT_WEIGHTS) + 1).astype(np.int16).transpose(1, 0, 2).copy()
        engine = choose(u[:, 12], CODE_WEIGHTS).astype(np.int16)
        brake = choose(u[:, 13], CODE_WEIGHTS).astype(np.int16)
        bat_band, battery = BATTERY.draw(u[:, 14], u[:, 15])
        bat_fail = bat_band == 2

        arrays = [*tires, *lights, engine, brake, battery]
        fails = [*tire_fail, *(lights == 2), engine == 2, brake == 2, bat_fail]
        for forced in self.incidents.failures:
            k = -(-forced.at // STEP_SECONDS) - first
            if not 0 <= k < steps:
                continue
            c, r = COMPONENTS.index(forced.component), forced.index - 1
            if forced.component.startswith("tire"):
                arrays[c][r, k] = TIRE.value(np.array([2]), u[r, 2 * c + 1, k : k + 1])[0]
            elif forced.component == "battery":
                arrays[c][r, k] = BATTERY.value(np.array([2]), u[r, 15, k : k + 1])[0]
            else:
                arrays[c][r, k] = 2
            fails[c][r, k] = True
        for c, (values, failed) in enumerate(zip(arrays, fails, strict=True)):
            make_sticky(values, failed, carry[c])
        return StatusBlock(first, tires, lights, engine, brake, battery)

    def blocks(self, minutes: float | None = None) -> Iterator[StatusBlock]:
        """Blocks of one simulated hour (the last holds the ``240000`` record), up to ``minutes``."""
        total = steps_for_minutes(STEP_SECONDS, minutes)
        carry = np.full((len(COMPONENTS), self.fleet.size), -1, dtype=np.int16)
        for block, first in enumerate(range(0, RECORDS_PER_CAR, BLOCK_STEPS)):
            if first >= total:
                return
            data = self._draw(block, first, min(BLOCK_STEPS, RECORDS_PER_CAR - first), carry)
            keep = min(total - first, BLOCK_STEPS)
            if keep < data.engine.shape[1]:
                data = StatusBlock(
                    first,
                    data.tires[..., :keep],
                    data.lights[..., :keep],
                    data.engine[:, :keep],
                    data.brake[:, :keep],
                    data.battery[:, :keep],
                )
            yield data

    def format_block(self, data: StatusBlock, block: int) -> list[str]:
        """Lines of a block, interleaved by time (all cars at one stamp, then the next)."""
        t, li = data.tires, data.lights
        tire_front = (t[0].T.astype(np.int32) * 101 + t[1].T).ravel().tolist()
        tire_back = (t[2].T.astype(np.int32) * 101 + t[3].T).ravel().tolist()
        combo = li[0].T.astype(np.int32) - 1
        for k in (1, 2, 3):
            combo = combo * 2 + (li[k].T - 1)
        combo = ((combo * 3 + data.engine.T) * 3 + data.brake.T).ravel().tolist()
        battery = data.battery.T.ravel().tolist()
        steps = data.engine.shape[1]
        cars = self.fleet.numbers
        stamps = self._stamps[data.first_step : data.first_step + steps]
        pair, code, num = _TIRE_PAIRS, _LIGHTS_CODES, _NUMBERS
        prefixes = [f"{ts},{car}," for ts in stamps for car in cars]
        lines = [
            f"{p}{pair[a]},{pair[b]},{code[c]},{num[d]}"
            for p, a, b, c, d in zip(prefixes, tire_front, tire_back, combo, battery, strict=True)
        ]
        if self.incidents.malformed_rate > 0:
            self._inject_malformed(lines, block, steps)
        return lines

    def _inject_malformed(self, lines: list[str], block: int, steps: int) -> None:
        cars = self.fleet.size
        for i in range(cars):
            u = rng_for(self.seed, "status-malformed", int(self.date), i + 1, block).random((3, BLOCK_STEPS))
            for k in np.flatnonzero(u[0, :steps] < self.incidents.malformed_rate):
                j = int(k) * cars + i
                lines[j] = corrupt(lines[j], int(u[1, k] * 4), float(u[2, k]))

    def line_blocks(self, minutes: float | None = None) -> Iterator[list[str]]:
        for block, data in enumerate(self.blocks(minutes)):
            yield self.format_block(data, block)

    def headers(self) -> list[str]:
        return [HEADER] * self.fleet.size


def iter_status_lines(
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    minutes: float | None = None,
    headers: bool = True,
) -> Iterator[str]:
    """Lines of the status file as it is written: N header lines, then records by simulated time."""
    gen = StatusGenerator(date, cars, seed, incidents)
    if headers:
        yield from gen.headers()
    for block in gen.line_blocks(minutes):
        yield from block


def status_file_name(date: str, run_id: str) -> str:
    """``SmartCarStatusInfo_<date>_<runid>.txt``: unique per run, as a spool directory needs."""
    return f"{FILE_PREFIX}_{parse_date(date)}_{run_id}.txt"


def write_status_file(
    directory: str | Path,
    date: str,
    cars: int,
    seed: int = 0,
    *,
    incidents: Incidents | None = None,
    minutes: float | None = None,
    run_id: str | None = None,
    final_name: str | None = None,
    on_lines: Callable[[int], None] | None = None,
) -> Path:
    """Write a complete status file atomically into ``directory`` and return its path."""
    from simulator.sinks import new_run_id, write_spool_lines

    gen = StatusGenerator(date, cars, seed, incidents)
    name = final_name or status_file_name(gen.date, run_id or new_run_id())

    return write_spool_lines(gen.headers(), gen.line_blocks(minutes), directory, name, on_lines)


__all__ = [
    "HEADER",
    "RECORDS_PER_CAR",
    "SimulatorError",
    "StatusGenerator",
    "iter_status_lines",
    "status_file_name",
    "write_status_file",
]
