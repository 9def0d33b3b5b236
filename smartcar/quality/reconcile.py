"""Reconciliation between stages: the row count a table must have, computed from its inputs.

Each mart is recounted here from the stage before it with the rule of SEED_SPEC section 5
(an independent re-statement, not the batch code), and the result becomes an
``expect_table_row_count_to_equal`` so the comparison shows up in the report. A stage that
lost, duplicated or invented rows therefore fails the validation.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from smartcar.quality.frames import read_partition, read_table
from smartcar.quality.tables import table_spec
from smartcar.settings import Settings

SHARP_TURNS = ("L2", "L3", "R2", "R3")


def _adults(settings: Settings | None):
    return read_partition(table_spec("smartcar_master_over18"), None, settings).select("car_number").distinct()


def _master_over18(date: str | None, settings: Settings | None) -> tuple[int, str]:
    master = read_partition(table_spec("smartcar_master"), None, settings)
    return master.where("age >= 18").count(), "master rows with age >= 18"


def _status_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    # Files simulated for `date` may be collected on that day or later: scan wrk_date >= date.
    status = read_table(table_spec("smartcar_status_info"), settings, min_partition=date)
    rows = status.where(f"substring(reg_date, 1, 8) = '{date}'").join(_adults(settings), "car_number", "left_semi")
    return rows.count(), f"landed status rows of {date} (wrk_date >= {date}) joined to adult cars"


def _drive_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    drive = read_partition(table_spec("smartcar_drive_info_2"), date, settings)
    rows = drive.where(f"substring(r_date, 1, 8) = '{date}'").join(_adults(settings), "car_number", "left_semi")
    return rows.count(), f"driving rows of {date} joined to adult cars"


def _symptom_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    drive = read_partition(table_spec("managed_smartcar_drive_info"), date, settings)
    cars = drive.where(drive.steer_angle.isin(*SHARP_TURNS)).select("car_number").distinct()
    return cars.count(), f"cars of the drive mart on {date} with at least one sharp turn"


def _emergency_mart(date: str, settings: Settings | None) -> tuple[int, str]:
    status = read_partition(table_spec("managed_smartcar_status_info"), date, settings)
    status.createOrReplaceTempView("_recon_status")
    spark = status.sparkSession
    flagged = spark.sql(
        """
        SELECT car_number FROM _recon_status GROUP BY car_number
        HAVING avg(tire_fl) < 80 OR avg(tire_fr) < 80 OR avg(tire_bl) < 80 OR avg(tire_br) < 80
            OR max(CASE WHEN '2' IN (light_fl, light_fr, light_bl, light_br) THEN 1 ELSE 0 END) = 1
            OR max(CASE WHEN engine = 'C' THEN 1 ELSE 0 END) = 1
            OR max(CASE WHEN `break` = 'C' THEN 1 ELSE 0 END) = 1
            OR avg(battery) < 30
        """
    )
    return flagged.count(), f"cars of the status mart on {date} with at least one failed check"


def _item_mart(month: str, settings: Settings | None) -> tuple[int, str]:
    buys = read_partition(table_spec("smartcar_item_buylist"), None, settings).where(f"month = '{month}'")
    return buys.join(_adults(settings), "car_number", "left_semi").count(), f"buy-list rows of {month} of adult cars"


RECONCILERS: dict[str, Callable[[str, Settings | None], tuple[int, str]]] = {
    "smartcar_master_over18": _master_over18,
    "managed_smartcar_status_info": _status_mart,
    "managed_smartcar_drive_info": _drive_mart,
    "managed_smartcar_symptom_info": _symptom_mart,
    "managed_smartcar_emergency_check_info": _emergency_mart,
    "managed_smartcar_item_buylist_info": _item_mart,
}


def reconciliation_rules(table: str, date: str | None, settings: Settings | None = None) -> list[Expectation]:
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
