"""Reconciliation between stages: the row count a table must have, computed from its inputs.

Each mart is recounted here from the stage before it with the rule of docs/business-rules.md#subject-area-marts
(an independent re-statement in pandas, not the batch's HiveQL), and the result becomes an
``expect_table_row_count_to_equal`` so the comparison shows up in the report. A stage that
lost, duplicated or invented rows therefore fails the validation.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from smartcar.lake.catalog import table_spec
from smartcar.lake.reader import pandas_partition, pandas_table
from smartcar.settings import Settings

SHARP_TURNS = ("L2", "L3", "R2", "R3")


def _adults(settings: Settings | None) -> set[str]:
    cars = pandas_partition(table_spec("smartcar_master_over18"), None, settings, ["car_number"])["car_number"]
    return set(cars.dropna())


def _master_over18(date: str | None, settings: Settings | None) -> tuple[int, str]:
    master = pandas_partition(table_spec("smartcar_master"), None, settings, ["age"])
    return int((master["age"] >= 18).sum()), "master rows with age >= 18"


def _status_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    # Files simulated for `date` may be collected on that day or later: scan wrk_date >= date.
    status = pandas_table(
        table_spec("smartcar_status_info"), settings, min_partition=date, columns=["reg_date", "car_number"]
    )
    rows = (status["reg_date"].str[:8] == date) & status["car_number"].isin(_adults(settings))
    return int(rows.sum()), f"landed status rows of {date} (wrk_date >= {date}) joined to adult cars"


def _drive_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    drive = pandas_partition(table_spec("smartcar_drive_info_2"), date, settings, ["r_date", "car_number"])
    rows = (drive["r_date"].str[:8] == date) & drive["car_number"].isin(_adults(settings))
    return int(rows.sum()), f"driving rows of {date} joined to adult cars"


def _symptom_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    drive = pandas_partition(table_spec("managed_smartcar_drive_info"), date, settings, ["car_number", "steer_angle"])
    cars = drive.loc[drive["steer_angle"].isin(SHARP_TURNS), "car_number"].nunique()
    return int(cars), f"cars of the drive mart on {date} with at least one sharp turn"


def _emergency_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    tires, lights = ["tire_fl", "tire_fr", "tire_bl", "tire_br"], ["light_fl", "light_fr", "light_bl", "light_br"]
    cols = ["car_number", *tires, *lights, "engine", "break", "battery"]
    status = pandas_partition(table_spec("managed_smartcar_status_info"), date, settings, cols)
    if status.empty:
        return 0, f"cars of the status mart on {date} with at least one failed check"
    status["_light"] = status[lights].eq("2").any(axis=1)
    status["_engine"] = status["engine"].eq("C")
    status["_break"] = status["break"].eq("C")
    per_car = status.groupby("car_number").agg(
        {**dict.fromkeys([*tires, "battery"], "mean"), "_light": "any", "_engine": "any", "_break": "any"}
    )
    flagged = (per_car[tires] < 80).any(axis=1) | per_car["_light"] | per_car["_engine"] | per_car["_break"]
    flagged |= per_car["battery"] < 30
    return int(flagged.sum()), f"cars of the status mart on {date} with at least one failed check"


def _item_mart(month: str, settings: Settings | None) -> tuple[int, str]:
    buys = pandas_partition(table_spec("smartcar_item_buylist"), None, settings, ["car_number", "month"])
    rows = (buys["month"] == month) & buys["car_number"].isin(_adults(settings))
    return int(rows.sum()), f"buy-list rows of {month} of adult cars"


RECONCILERS: dict[str, Callable[[str, Settings | None], tuple[int, str]]] = {
    "smartcar_master_over18": _master_over18,
    "managed_smartcar_status_info": _status_mart,
    "managed_smartcar_drive_info": _drive_mart,
    "managed_smartcar_symptom_info": _symptom_mart,
    "managed_smartcar_emergency_check_info": _emergency_mart,
    "managed_smartcar_item_buylist_info": _item_mart,
}


def reconciliation_rules(table: str, date: str | None, settings: Settings) -> list[Expectation]:
    """The row-count expectation of ``table`` derived from its upstream stage (none for landed tables)."""
    reconcile = RECONCILERS.get(table_spec(table).name)
    if reconcile is None:
        return []
    expected, how = reconcile(date or "", settings)
    return [
        gxe.ExpectTableRowCountToEqual(
            value=expected, severity="critical", meta={"notes": f"reconciliation: {how} = {expected}"}
        )
    ]
