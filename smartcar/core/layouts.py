"""Column layouts of the original pilot's records (docs/data-formats.md#driving-log to #item-buy-list), named once.

The simulator writes them, the quality suites check them, the ML features use them; keeping the
names here means a typo-compatible name such as ``break`` (for brake) is spelled in one place. The
driving record's fields live with its HBase table in :mod:`smartcar.core.driving_record`.
"""

from __future__ import annotations

MASTER_COLUMNS: tuple[str, ...] = (
    "car_number",
    "sex",
    "age",
    "marriage",
    "region",
    "job",
    "car_capacity",
    "car_year",
    "car_model",
)
"""``CarMaster.txt`` / ``SmartCar_Master`` (pipe-delimited, 9 fields)."""

TIRES: tuple[str, ...] = ("tire_fl", "tire_fr", "tire_bl", "tire_br")
LIGHTS: tuple[str, ...] = ("light_fl", "light_fr", "light_bl", "light_br")
STATUS_COLUMNS: tuple[str, ...] = (*TIRES, *LIGHTS, "engine", "break", "battery")
"""The 11 component fields of the status log, between ``car_number`` and the end of the line."""
