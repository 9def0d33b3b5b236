"""The suites say what the spec says: codes, ranges, keys, severities."""

from __future__ import annotations

import pytest

from smartcar.lake.catalog import TABLES, table_spec
from smartcar.quality.suites import build_rules


def _by_column(table: str, date: str | None = "20200322") -> dict[tuple[str, str | None], dict]:
    out = {}
    for e in build_rules(table, date):
        cfg = e.configuration
        out[(cfg.type, cfg.kwargs.get("column"))] = {
            **cfg.kwargs,
            "severity": str(getattr(e.severity, "value", e.severity)),
        }
    return out


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_has_a_suite_with_its_exact_columns(table: str) -> None:
    rules = _by_column(table)
    spec = table_spec(table)
    columns = rules[("expect_table_columns_to_match_set", None)]["column_set"]
    assert set(columns) == {*spec.columns, *([spec.partition_key] if spec.partition_key else [])}


def test_status_codes_and_ranges() -> None:
    rules = _by_column("managed_smartcar_status_info")
    assert rules[("expect_column_values_to_be_in_set", "light_fl")]["value_set"] == ["1", "2"]
    assert rules[("expect_column_values_to_be_in_set", "engine")]["value_set"] == ["A", "B", "C"]
    assert rules[("expect_column_values_to_be_in_set", "break")]["value_set"] == ["A", "B", "C"]
    assert (
        rules[("expect_column_values_to_be_between", "tire_br")]["min_value"],
        rules[("expect_column_values_to_be_between", "tire_br")]["max_value"],
    ) == (0, 100)
    assert rules[("expect_column_values_to_be_between", "age")]["min_value"] == 18
    assert rules[("expect_column_values_to_match_regex", "reg_date")]["regex"] == "^20200322[0-9]{6}$"
    assert rules[("expect_compound_columns_to_be_unique", None)]["column_list"] == ["car_number", "reg_date"]
    assert rules[("expect_column_mean_to_be_between", "tire_fl")]["severity"] == "warning"
    assert rules[("expect_column_values_to_be_between", "tire_fl")]["severity"] == "critical"


def test_drive_codes_and_master_ages() -> None:
    drive = _by_column("smartcar_drive_info_2")
    assert drive[("expect_column_values_to_be_in_set", "steer_angle")]["value_set"] == [
        "F",
        "L1",
        "L2",
        "L3",
        "R1",
        "R2",
        "R3",
    ]
    assert drive[("expect_column_values_to_be_in_set", "direct_light")]["value_set"] == ["N", "L", "R"]
    assert drive[("expect_column_values_to_be_between", "speed")]["max_value"] == 250
    assert drive[("expect_column_values_to_match_regex", "area_number")]["regex"] == r"^[A-F](0[1-9]|10)$"
    master = _by_column("smartcar_master", None)
    assert master[("expect_column_values_to_be_between", "age")]["min_value"] == 15
    assert master[("expect_column_values_to_be_between", "age")]["max_value"] == 70
