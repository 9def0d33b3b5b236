"""Item recommendations on a hand-made buy-list mart: the co-occurrence arithmetic, the table, re-runs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smartcar.core.layouts import MASTER_COLUMNS
from smartcar.lake.catalog import table_spec
from smartcar.lake.spark_session import spark_session
from smartcar.ml import jobs, runs
from smartcar.ml.recommendation import evaluate_holdout, preferences
from smartcar.settings import Settings

pytestmark = pytest.mark.integration

PURCHASES = [
    # A0001 and A0002 both bought Item-001 and Item-002; A0002 also Item-003, A0003 Item-002 and Item-004.
    ("A0001", "Item-001", "5"),
    ("A0001", "Item-001", "3"),  # repeated pair: the car's mean score, 4
    ("A0001", "Item-002", "2"),
    ("A0002", "Item-001", "4"),
    ("A0002", "Item-002", "4"),
    ("A0002", "Item-003", "1"),
    ("A0003", "Item-002", "5"),
    ("A0003", "Item-004", "3"),
]


def _write_buylist(settings: Settings, month: str, purchases: list[tuple[str, str, str]]) -> None:
    master = ("남", "40", "기혼", "서울", "회사원", "2000", "2010", "A")
    columns = {c: [] for c in (*MASTER_COLUMNS, "item", "score")}
    for car, item, score in purchases:
        for name, value in zip(MASTER_COLUMNS, (car, *master), strict=True):
            columns[name].append(value)
        columns["item"].append(item)
        columns["score"].append(score)
    directory = settings.warehouse_path / "managed_smartcar_item_buylist_info" / f"biz_month={month}"
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), directory / "part-00000.parquet")


def _table(settings: Settings, month: str) -> list[dict]:
    path = table_spec("managed_smartcar_item_recommend_info").partition_path(month, settings)
    return pq.read_table(path).to_pylist()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


def test_recommendations_follow_the_cooccurrence_rule(settings: Settings) -> None:
    _write_buylist(settings, "202003", PURCHASES)
    result = jobs.run_recommendation("202003", settings=settings)
    got = {(r["car_number"], r["rank"]): (r["item"], r["score"]) for r in _table(settings, "202003")}
    # A0001 owns 001 (pref 4) and 002 (pref 2). cooc(003,001)=1, cooc(003,002)=1 -> (4+2)/2 = 3.0;
    # cooc(004,002)=1, cooc(004,001)=0 -> 2.0. Ranked by score.
    assert got[("A0001", 1)] == ("Item-003", 3.0)
    assert got[("A0001", 2)] == ("Item-004", 2.0)
    # A0003 owns 002 (5) and 004 (3). 001: cooc(001,002)=2 -> 5.0; 003: cooc(003,002)=1 -> 5.0; tie by name.
    assert got[("A0003", 1)] == ("Item-001", 5.0)
    assert got[("A0003", 2)] == ("Item-003", 5.0)
    # A0002 owns 001-003; 004 co-occurs with 002 only: 4.0.
    assert got[("A0002", 1)] == ("Item-004", 4.0)
    assert ("A0002", 2) not in got, "nothing else is left to recommend"
    assert result["rows"] == 5 and result["cars"] == 3
    assert result.pop("tracking")["registered_version"] is None
    assert runs.read_metrics("recommendation", "202003", settings) == result


def test_a_rerun_overwrites_only_its_month(settings: Settings) -> None:
    _write_buylist(settings, "202003", PURCHASES)
    _write_buylist(settings, "202004", [*PURCHASES[:3], ("A0009", "Item-001", "1"), ("A0009", "Item-005", "5")])
    jobs.run_recommendation("202003", settings=settings)
    jobs.run_recommendation("202004", settings=settings)
    march = _table(settings, "202003")
    assert len(_table(settings, "202004")) == 2  # A0001 gets 005, A0009 gets 002
    # April again, different purchases: A0009 owns 001 (1), A0001 owns 001 and 005 -> A0009 gets 005 at 1.0.
    _write_buylist(
        settings, "202004", [("A0009", "Item-001", "1"), ("A0001", "Item-001", "4"), ("A0001", "Item-005", "2")]
    )
    jobs.run_recommendation("202004", settings=settings)
    assert _table(settings, "202003") == march
    assert _table(settings, "202004") == [{"car_number": "A0009", "item": "Item-005", "score": 1.0, "rank": 1}]
    root = table_spec("managed_smartcar_item_recommend_info").root(settings)
    assert sorted(p.name for p in root.iterdir()) == ["biz_month=202003", "biz_month=202004"]


def test_holdout_precision_beats_popularity_on_a_planted_pattern(settings: Settings) -> None:
    # Two groups of cars with disjoint tastes: item-based CF stays within a car's group, popularity
    # recommends the larger group's items to the smaller group's cars too.
    rows = []
    for i in range(80):
        car = f"B{i + 1:04d}"
        group = [f"Item-{n:03d}" for n in (range(1, 9) if i < 30 else range(11, 19))]
        rows.extend((car, item, "4") for item in group)
    frame = spark_session().createDataFrame(rows, ["car_number", "item", "score"])
    result = evaluate_holdout(preferences(frame), test_share=0.25, seed=3)
    assert result.cars_evaluated > 60
    assert result.precision_at_3 > result.precision_at_3_popularity + 0.1, result


def test_an_empty_month_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(jobs.NoTrainingData, match="202003"):
        jobs.run_recommendation("202003", settings=settings)


def test_the_written_month_passes_its_quality_suite(settings: Settings) -> None:
    from smartcar.quality.runner import validate

    _write_buylist(settings, "202003", PURCHASES)
    jobs.run_recommendation("202003", settings=settings)
    report = validate("managed_smartcar_item_recommend_info", "202003", settings)
    assert (report.status, report.rows) == ("passed", 5), report.failures
    # a duplicated rank (two rows for one car and rank) is caught
    path = table_spec("managed_smartcar_item_recommend_info").partition_path("202003", settings) / "part-00000.parquet"
    rows = pq.read_table(path).to_pylist()
    pq.write_table(pa.Table.from_pylist([*rows, {**rows[0], "item": "Item-030"}], schema=pq.read_schema(path)), path)
    assert validate("managed_smartcar_item_recommend_info", "202003", settings).status == "failed"
