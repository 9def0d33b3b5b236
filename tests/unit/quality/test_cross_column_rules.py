"""The two cross-column rules of the marts fail on the rows that break them (pandas row conditions)."""

from __future__ import annotations

import pyarrow.parquet as pq

from simulator.sample_day import write_sample_day
from smartcar.lake.catalog import table_spec
from smartcar.quality.runner import validate

DAY = "20200325"


def _rewrite(table: str, change) -> None:
    path = table_spec(table).partition_path(DAY) / "part-00000.parquet"
    rows = pq.read_table(path).to_pylist()
    pq.write_table(pq.read_table(path).from_pylist(change(rows)), path)


def test_clean_marts_pass_then_broken_rows_fail(private_warehouse) -> None:
    write_sample_day(DAY)
    for table in ("managed_smartcar_symptom_info", "managed_smartcar_emergency_check_info"):
        assert validate(table, DAY).status == "passed", table

    def many_turns_but_normal(rows):
        rows[0] = {**rows[0], "steer_a_cnt": 3000, "steer_p_symptom": "normal"}
        return rows

    _rewrite("managed_smartcar_symptom_info", many_turns_but_normal)
    report = validate("managed_smartcar_symptom_info", DAY)
    assert report.status == "failed"
    assert [(f.column, f.unexpected_count) for f in report.critical] == [("steer_p_symptom", 1)]

    def car_without_any_check(rows):
        return [*rows, {"car_number": "Z9999", **{c: None for c in rows[0] if c != "car_number"}}]

    _rewrite("managed_smartcar_emergency_check_info", car_without_any_check)
    report = validate("managed_smartcar_emergency_check_info", DAY)
    assert report.status == "failed"
    failed = {(f.expectation, f.column) for f in report.critical}
    assert ("expect_column_values_to_not_be_null", "battery_check") in failed
