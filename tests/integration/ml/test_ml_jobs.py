"""Spark ML jobs on hand-made warehouse files: the label rule at its boundary, training, clustering."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smartcar.core.layouts import MASTER_COLUMNS, STATUS_COLUMNS
from smartcar.ml import datasets, jobs, runs
from smartcar.ml.classification import ABNORMAL, NORMAL
from smartcar.settings import Settings

pytestmark = pytest.mark.integration

REFERENCE_MASTER = Path(__file__).resolve().parents[4] / "shared" / "reference-data" / "CarMaster.txt"
COLUMNS = (*MASTER_COLUMNS, *STATUS_COLUMNS, "reg_date")


def _row(
    car: str, capacity: str, year: str, model: str, tires: str, lights: str, engine: str, brake: str, battery: str
):
    master = {"car_number": car, "sex": "남", "age": "40", "marriage": "기혼", "region": "서울", "job": "회사원"}
    master |= {"car_capacity": capacity, "car_year": year, "car_model": model}
    status = {f"tire_{p}": tires for p in ("fl", "fr", "bl", "br")} | {
        f"light_{p}": lights for p in ("fl", "fr", "bl", "br")
    }
    status |= {"engine": engine, "break": brake, "battery": battery, "reg_date": "20200322010000"}
    return master | status


def _write_mart(settings: Settings, biz_date: str, rows: list[dict[str, str]]) -> None:
    directory = settings.warehouse_path / "managed_smartcar_status_info" / f"biz_date={biz_date}"
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.table({c: [r[c] for r in rows] for c in COLUMNS})
    pq.write_table(table, directory / "part-00000.parquet")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


def test_label_rule_at_the_threshold(settings: Settings) -> None:
    # tenths: tires 4x5 + lights 4x5 + engine A 10 + brake B 5 + battery 10 = 65
    # capacity 1500..1999 -2, year < 2005 -3, model A 0 -> 60 = 6.0 -> not below 6 -> normal
    # capacity < 1500 -3 instead -> 59 -> abnormal; model B -3 -> 57 -> abnormal
    rows = [
        _row("A0001", "1500", "2004", "A", "90", "1", "A", "B", "90"),
        _row("A0002", "1200", "2004", "A", "90", "1", "A", "B", "90"),
        _row("A0003", "1500", "2004", "B", "90", "1", "A", "B", "90"),
        _row("A0004", "2500", "2012", "C", "90", "1", "A", "A", "90"),  # 6.8, the maximum
        _row("A0005", "2500", "2012", "C", "5", "2", "C", "C", "10"),  # 0.4+0+0+0+0.2-0.2 = 0.4
    ]
    _write_mart(settings, "20200322", rows)
    _write_mart(settings, "20200101", [_row("A0009", "2500", "2012", "C", "90", "1", "A", "A", "90")])
    frame = datasets.classification_frame("20200320", "20200322", settings)
    got = sorted((r["car_capacity"], r["car_model"], r["tire_fl"], r["status"]) for r in frame.collect())
    assert len(got) == 5, "the 20200101 partition is outside the window"
    assert got == sorted(
        [
            (1500, "A", 90, NORMAL),
            (1200, "A", 90, ABNORMAL),
            (1500, "B", 90, ABNORMAL),
            (2500, "C", 90, NORMAL),
            (2500, "C", 5, ABNORMAL),
        ]
    )
    assert "car_number" not in frame.columns  # the training set carries no car number, as the original's


def _random_rows(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            _row(
                f"{chr(65 + i % 26)}{i % 100 + 1:04d}",
                rng.choice(["1000", "1500", "2000", "3000"]),
                str(rng.randint(2000, 2016)),
                rng.choice("ABCDEFGH"),
                str(rng.choice([rng.randint(0, 69), rng.randint(70, 100), rng.randint(80, 100)])),
                rng.choice(["1", "1", "1", "2"]),
                rng.choice("AABC"),
                rng.choice("AABC"),
                str(rng.randint(0, 100)),
            )
        )
    return rows


def test_classification_trains_evaluates_and_reruns_identically(settings: Settings) -> None:
    _write_mart(settings, "20200322", _random_rows(3000, seed=7))
    first = jobs.run_classification("20200322", days=1, trees=5, seed=3, settings=settings)
    assert first["rows_test"] == first["tp"] + first["fp"] + first["tn"] + first["fn"]
    assert first["rows_train"] + first["rows_test"] == 3000
    assert first["accuracy"] > 0.8, first  # the label is a function of the features
    assert 0 < first["recall_abnormal"] <= 1
    assert (runs.run_dir("classification", "20200322", settings) / "model").is_dir()
    again = jobs.run_classification("20200322", days=1, trees=5, seed=3, settings=settings)
    assert again.pop("tracking")["run_id"] != first.pop("tracking")["run_id"], "each run is logged on its own"
    assert again == first
    assert runs.read_metrics("classification", "20200322", settings) == first
    assert first["confusion_matrix"] == {
        "normal": {"normal": first["tn"], "abnormal": first["fp"]},
        "abnormal": {"normal": first["fn"], "abnormal": first["tp"]},
    }
    assert 0 < first["precision_normal"] <= 1 and 0 < first["recall_normal"] <= 1 and 0 < first["f1_normal"] <= 1
    assert first["vector_indexer"] is True
    assert [p.name for p in runs.run_dir("classification", "20200322", settings).parent.iterdir()] == ["20200322"]


def test_no_rows_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(jobs.NoTrainingData, match="no rows"):
        jobs.run_classification("20200322", days=1, settings=settings)


def test_clustering_of_the_reference_master(settings: Settings) -> None:
    target = settings.landing_path / "car-master"
    target.mkdir(parents=True)
    (target / "CarMaster.txt").write_bytes(REFERENCE_MASTER.read_bytes())
    result = jobs.run_clustering("20200322", k=200, seed=1, settings=settings)
    assert result["cars"] == 2600
    assert 100 <= result["clusters_used"] <= 200
    assert result["silhouette"] > 0.7, result  # the book reports 0.85, MC 0.8587
    members = (runs.run_dir("clustering", "20200322", settings) / "members.csv").read_text().splitlines()
    assert members[0] == "car_number,cluster"
    assert len(members) == 2601


def test_cli_without_data_is_one_clear_line_and_exit_1(smartcar_cli) -> None:
    result = smartcar_cli("ml", "recommend", "--month", "199901")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in result.stderr
    assert result.stdout == ""
