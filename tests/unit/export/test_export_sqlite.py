"""The export against SQLite: migrations, delete-then-insert per date, re-run stability, text marts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.sample_day import write_sample_day
from smartcar.export.loader import export_date, latest_exports
from smartcar.export.migrate import current_revision, downgrade, head_revision, upgrade
from smartcar.export.schema import emergency_check_info, symptom_info
from smartcar.lake.catalog import table_spec
from smartcar.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'export.db'}")


def _rows(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(table)))


def test_migrations_up_and_down(engine: sa.Engine) -> None:
    assert upgrade(engine) == head_revision() == "0004"
    assert upgrade(engine) == "0004"  # idempotent
    assert downgrade(engine, "0001") == "0001"
    assert "smartcar_alert_incident" not in sa.inspect(engine).get_table_names()
    assert set(sa.inspect(engine).get_table_names()) >= {"smartcar_symptom_info", "smartcar_export_version"}
    assert "smartcar_emergency_check_info" not in sa.inspect(engine).get_table_names()
    assert upgrade(engine) == "0004"
    assert current_revision(engine) == "0004"


def test_rerun_changes_nothing_and_dates_are_independent(settings: Settings, engine: sa.Engine) -> None:
    write_sample_day("20200322", settings)
    write_sample_day("20200323", settings)
    first = export_date("symptom", "20200322", engine, settings, chunk_size=2)
    assert first.source_rows == first.target_rows == 4 and first.chunks == 2 and first.deleted_rows == 0
    snapshot = _rows(engine, symptom_info)
    again = export_date("symptom", "20200322", engine, settings)
    assert again.deleted_rows == 4 and again.target_rows == 4
    assert _rows(engine, symptom_info) == snapshot
    export_date("symptom", "20200323", engine, settings)
    assert len(_rows(engine, symptom_info)) == 8
    emergency = export_date("emergency", "20200322", engine, settings)
    assert emergency.target_rows == 3
    cars = {r[0]: r for r in _rows(engine, emergency_check_info)}
    assert cars["C0004"][1] == "Tire Check" and cars["D0005"][3] == "Engine Check" and cars["E0006"][2] == "Light Check"
    latest = latest_exports(engine)
    assert {(r["biz_date"], r["table_name"]) for r in latest} == {
        ("20200322", "smartcar_symptom_info"),
        ("20200323", "smartcar_symptom_info"),
        ("20200322", "smartcar_emergency_check_info"),
    }
    assert next(r for r in latest if r["biz_date"] == "20200322" and "symptom" in r["table_name"])["deleted_rows"] == 4


def test_text_mart_and_empty_date(settings: Settings, engine: sa.Engine) -> None:
    path = table_spec("managed_smartcar_symptom_info").partition_path("20200401", settings)
    path.mkdir(parents=True)
    (path / "000000_0").write_text("A0001,1.5,normal,0.25,normal,2301,abnormal\nB0002,2,normal,0,normal,3,normal\n")
    result = export_date("symptom", "20200401", engine, settings)
    assert result.target_rows == 2
    rows = {r[0]: r for r in _rows(engine, symptom_info)}
    assert rows["A0001"][1] == 1.5 and rows["A0001"][5] == 2301
    assert export_date("symptom", "19990101", engine, settings).target_rows == 0


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("A0001,1.5,normal\n", ValueError, "3 fields"),  # a bad text row: a clear error
        ("A0001,1,normal,0,normal,5,normal\n" * 2, sa.exc.IntegrityError, None),  # a duplicate key: rolled back
    ],
    ids=["bad-text-row", "duplicate-key"],
)
def test_a_failed_export_keeps_the_old_rows(
    settings: Settings, engine: sa.Engine, text: str, error: type[Exception], match: str | None
) -> None:
    write_sample_day("20200322", settings)
    export_date("symptom", "20200322", engine, settings)
    before = _rows(engine, symptom_info)
    path = table_spec("managed_smartcar_symptom_info").partition_path("20200322", settings)
    for f in path.iterdir():
        f.unlink()
    (path / "000000_0").write_text(text)
    with pytest.raises(error, match=match):
        export_date("symptom", "20200322", engine, settings)
    assert _rows(engine, symptom_info) == before


def test_recommendations_export_by_month(settings: Settings, engine: sa.Engine) -> None:
    import pyarrow as pa

    from smartcar.export.schema import item_recommend_info
    from smartcar.ml.partition_writer import overwrite_partition

    def month(value: str, cars: list[str]) -> None:
        rows = pa.table(
            {
                "car_number": [c for c in cars for _ in range(3)],
                "item": [f"Item-00{r}" for _ in cars for r in (1, 2, 3)],
                "score": [4.5, 4.0, 3.5] * len(cars),
                "rank": pa.array([1, 2, 3] * len(cars), pa.int32()),
            }
        )
        overwrite_partition("managed_smartcar_item_recommend_info", value, rows, settings)

    month("202003", ["A0001", "B0002"])
    month("202004", ["C0003"])
    assert export_date("recommend", "202003", engine, settings).target_rows == 6
    assert export_date("recommend", "202004", engine, settings).target_rows == 3
    month("202003", ["A0001"])  # the month recomputed: its partition replaced, then exported again
    again = export_date("recommend", "202003", engine, settings)
    assert (again.deleted_rows, again.target_rows) == (6, 3)
    rows = _rows(engine, item_recommend_info)
    assert ("A0001", "Item-001", 4.5, 1, "202003") in rows
    assert {r[4] for r in rows} == {"202003", "202004"} and len(rows) == 6
