"""Spark ML figures: clustering of the reference master and the status classifier on simulated data.

The status mart is built here directly from simulator output joined to the simulator's master
(adults only, as Subject 1 does), so the benchmark measures the ML step alone. Prints the time of
each step and the model figures next to the book's (accuracy ~0.92, silhouette 0.85).

    .venv/bin/python bench/bench_ml.py [--cars 20] [--date 20200322]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from simulator.master import master_rows
from simulator.status_log import iter_status_lines
from smartcar.layouts import MASTER_COLUMNS, STATUS_COLUMNS
from smartcar.ml import jobs
from smartcar.settings import Settings

REFERENCE_MASTER = Path(__file__).resolve().parents[2] / "shared" / "reference-data" / "CarMaster.txt"


def build_status_mart(settings: Settings, date: str, cars: int) -> int:
    master = {row[0]: row for row in master_rows(seed=0, cars=cars) if int(row[2]) >= 18}
    columns: dict[str, list[str]] = {c: [] for c in (*MASTER_COLUMNS, *STATUS_COLUMNS, "reg_date")}
    for line in iter_status_lines(date, cars, seed=0, headers=False):
        fields = line.split(",")
        owner = master.get(fields[1])
        if owner is None:
            continue
        for name, value in zip(MASTER_COLUMNS, owner, strict=True):
            columns[name].append(value)
        for name, value in zip(STATUS_COLUMNS, fields[2:13], strict=True):
            columns[name].append(value)
        columns["reg_date"].append(fields[0])
    out = settings.warehouse_path / "managed_smartcar_status_info" / f"biz_date={date}"
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / "part-00000.parquet")
    return len(columns["reg_date"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cars", type=int, default=20)
    parser.add_argument("--date", default="20200322")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        started = time.perf_counter()
        rows = build_status_mart(settings, args.date, args.cars)
        print(
            f"status mart rows (simulated, {args.cars} cars, adults): {rows:,} in {time.perf_counter() - started:.1f}s"
        )

        started = time.perf_counter()
        metrics = jobs.run_classification(args.date, days=1, trees=5, seed=42, settings=settings)
        print(f"classification (5 trees, 70/30 seeded): {time.perf_counter() - started:.1f}s incl. JVM start")
        print(
            f"  accuracy {metrics['accuracy']:.4f} (book: ~0.92)  TP {metrics['tp']:,} FP {metrics['fp']:,} "
            f"TN {metrics['tn']:,} FN {metrics['fn']:,}  recall(abnormal) {metrics['recall_abnormal']:.4f} "
            f"precision(abnormal) {metrics['precision_abnormal']:.4f}"
        )

        target = settings.landing_path / "car-master"
        target.mkdir(parents=True)
        (target / "CarMaster.txt").write_bytes(REFERENCE_MASTER.read_bytes())
        started = time.perf_counter()
        result = jobs.run_clustering(args.date, k=200, seed=1, settings=settings)
        print(
            f"clustering of the reference master (k=200, seed 1): {time.perf_counter() - started:.1f}s; "
            f"silhouette {result['silhouette']:.4f} (book 0.85, MC 0.8587); clusters used {result['clusters_used']}"
        )


if __name__ == "__main__":
    main()
