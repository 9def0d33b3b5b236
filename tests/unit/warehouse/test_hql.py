"""HiveQL rendering and splitting, and the shipped SQL files' variables."""

from __future__ import annotations

import pytest

from smartcar.settings import get_settings
from smartcar.warehouse import hql


def test_render_replaces_every_variable_and_rejects_missing_ones() -> None:
    text = "SELECT * FROM t WHERE d = '${working_day}' -- uses ${not_a_var}; in a comment\n AND x = ${n};"
    assert hql.split_statements(hql.render(text, {"working_day": "20200322", "n": 3})) == [
        "SELECT * FROM t WHERE d = '20200322' \n AND x = 3"
    ]
    with pytest.raises(hql.HqlError, match="working_day"):
        hql.render(text, {"n": 1})


def test_split_keeps_semicolons_inside_quotes() -> None:
    text = "SET a=1;\nSELECT 'x;y', \"p;q\", `c;d` FROM t;\n\n;"
    assert hql.split_statements(text) == ["SET a=1", "SELECT 'x;y', \"p;q\", `c;d` FROM t"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("build/subject1_status_info", {"wrk_date"}),
        ("build/subject2_drive_info", {"working_day"}),
        ("build/subject3_symptom_info", {"working_day"}),
        ("build/subject4_emergency_check_info", {"working_day"}),
        ("build/subject5_item_buylist_info", {"biz_month"}),
        ("build/master_over18", set()),
        ("queries/fastest_car_per_area", {"biz_date"}),
    ],
)
def test_build_files_take_exactly_their_date_parameter(name: str, expected: set[str]) -> None:
    text = hql.sql_path(name).read_text()
    assert hql.variables(text) - {"landing"} == expected


def test_no_mart_is_appended_or_hard_codes_a_month() -> None:
    base = get_settings().sql_dir
    for path in base.rglob("*.sql"):
        body = hql._strip_comments(path.read_text()).upper()
        assert "INSERT INTO" not in body, path
        assert "202003" not in body, path
    for path in (base / "build").glob("subject*.sql"):
        assert "INSERT OVERWRITE TABLE" in path.read_text(), path


def test_marts_are_parquet_and_partitioned() -> None:
    for path in (get_settings().sql_dir / "ddl").glob("1*_managed_*.sql"):
        body = path.read_text()
        assert "STORED AS PARQUET" in body and "PARTITIONED BY" in body, path


def test_ddl_files_render_with_landing_uri(tmp_path) -> None:
    from smartcar.settings import Settings

    s = Settings(home=tmp_path, warehouse_uri=(tmp_path / "wh").as_uri())
    statements = [st for name in hql.ddl_files(s) for st in hql.load(name, {}, s)]
    assert len(statements) == 11
    assert f"LOCATION '{(tmp_path / 'wh' / 'collect').as_uri()}/car-batch-log'" in statements[0]
