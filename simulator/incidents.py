"""Incident knobs a tester needs: wild-driver share, forced speeding, forced failures, malformed lines.

Knobs only ever add draws from their own random streams, so a run without knobs is byte-identical
to the plain generator, and a run with knobs differs only where the knob acts.

Text forms (CLI):

- forced speeding: ``CAR`` or ``CAR@HHMMSS-HHMMSS``; the car drives with the wild weights inside
  the window (whole day without one). ``CAR`` is an index (``7``) or the fleet's number (``K0007``).
- forced failure: ``CAR:component`` or ``CAR:component@HHMMSS``; from that moment (default
  00:00:00) the component is failed and, like a natural failure, stays failed. Components:
  ``tire_fl tire_fr tire_bl tire_br light_fl light_fr light_bl light_br engine break battery``
  (``brake`` and header spellings such as ``TireFL`` are accepted).
- malformed rate ``R``: each data line is replaced, with probability R, by one of the kinds the
  stream processor must dead-letter (wrong field count, bad timestamp, non-numeric value, unknown
  code). Malformed lines still start with 14 digits, so a Flume-style filter lets them through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.cars import SECONDS_PER_DAY, Fleet, SimulatorError
from smartcar.core.layouts import STATUS_COLUMNS

COMPONENTS: tuple[str, ...] = STATUS_COLUMNS
_ALIASES = {c.replace("_", ""): c for c in COMPONENTS} | {
    "brake": "break",
    "breakinfo": "break",
    "brakeinfo": "break",
    "engineinfo": "engine",
    "batteryinfo": "battery",
}

MALFORMED_KINDS: tuple[str, ...] = ("field_count", "timestamp", "non_numeric", "unknown_code")


def parse_clock(text: str) -> int:
    """``HHMMSS``, ``HHMM`` or ``HH:MM[:SS]`` -> seconds of day (``240000`` allowed)."""
    raw = text.strip().replace(":", "")
    if not raw.isdigit() or len(raw) not in (4, 6):
        raise SimulatorError(f"invalid time {text!r}: expected HHMMSS or HH:MM[:SS]")
    hh, mm, ss = int(raw[:2]), int(raw[2:4]), int(raw[4:6] or 0)
    seconds = hh * 3600 + mm * 60 + ss
    if mm > 59 or ss > 59 or seconds > SECONDS_PER_DAY:
        raise SimulatorError(f"invalid time {text!r}")
    return seconds


def parse_component(text: str) -> str:
    key = text.strip().lower().replace("_", "").replace("-", "")
    if key not in _ALIASES:
        raise SimulatorError(f"unknown component {text!r}; known: {', '.join(COMPONENTS)}")
    return _ALIASES[key]


@dataclass(frozen=True)
class ForcedSpeeding:
    index: int
    start: int = 0
    end: int = SECONDS_PER_DAY
    """Window in seconds of day, inclusive start, inclusive end."""


@dataclass(frozen=True)
class ForcedFailure:
    index: int
    component: str
    at: int = 0
    """Second of day from which the component is failed."""


@dataclass(frozen=True)
class Incidents:
    """All knobs of one run; the default changes nothing."""

    wild_share: float | None = None
    speeding: tuple[ForcedSpeeding, ...] = ()
    failures: tuple[ForcedFailure, ...] = ()
    malformed_rate: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.malformed_rate <= 1.0:
            raise SimulatorError(f"malformed rate must be between 0 and 1, got {self.malformed_rate}")
        if self.wild_share is not None and not 0.0 <= self.wild_share <= 1.0:
            raise SimulatorError(f"wild share must be between 0 and 1, got {self.wild_share}")

    def check_fleet(self, size: int) -> None:
        """Every forced car must exist in a fleet of ``size`` cars."""
        for item in (*self.speeding, *self.failures):
            if not 1 <= item.index <= size:
                raise SimulatorError(f"forced car index {item.index} is not in the fleet of {size} cars")


def parse_speeding(text: str, fleet: Fleet) -> ForcedSpeeding:
    car, _, window = text.partition("@")
    index = fleet.index_of(car)
    if not window:
        return ForcedSpeeding(index)
    start, sep, end = window.partition("-")
    if not sep:
        raise SimulatorError(f"invalid speeding window {window!r}: expected HHMMSS-HHMMSS")
    lo, hi = parse_clock(start), parse_clock(end)
    if hi < lo:
        raise SimulatorError(f"speeding window {window!r} ends before it starts")
    return ForcedSpeeding(index, lo, hi)


def parse_failure(text: str, fleet: Fleet) -> ForcedFailure:
    car, sep, rest = text.partition(":")
    if not sep:
        raise SimulatorError(f"invalid failure {text!r}: expected CAR:component[@HHMMSS]")
    component, _, at = rest.partition("@")
    return ForcedFailure(fleet.index_of(car), parse_component(component), parse_clock(at) if at else 0)


def wild_mask(fleet: Fleet, incidents: Incidents, seconds: np.ndarray) -> np.ndarray:
    """``(cars, len(seconds))`` bool: which records use the wild weights."""
    mask = np.repeat(np.array(fleet.wild, dtype=bool)[:, None], len(seconds), axis=1)
    for forced in incidents.speeding:
        mask[forced.index - 1] |= (seconds >= forced.start) & (seconds <= forced.end)
    return mask


def corrupt(line: str, kind: int, variant: float) -> str:
    """A malformed version of a data line that still starts with 14 digits.

    ``kind`` indexes :data:`MALFORMED_KINDS`; ``variant`` (a uniform double) picks the field.
    """
    fields = line.split(",")
    name = MALFORMED_KINDS[kind]
    if name == "field_count":
        return ",".join(fields[:-1]) if variant < 0.5 else line + ",EXTRA"
    if name == "timestamp":
        ts = fields[0]
        fields[0] = ts[:4] + "13" + ts[6:] if variant < 0.5 else ts[:8] + "99" + ts[10:]
        return ",".join(fields)
    numeric = [i for i in range(2, len(fields)) if fields[i].isdigit()]
    coded = [i for i in range(2, len(fields)) if not fields[i].isdigit()]
    if name == "non_numeric" and numeric:
        fields[numeric[int(variant * len(numeric))]] = "x"
        return ",".join(fields)
    if coded:
        fields[coded[int(variant * len(coded))]] = "Q9"
    else:
        fields[-1] = "-1"
    return ",".join(fields)
