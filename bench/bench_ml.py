"""Spark ML figures next to the book's: status classifier, customer segments, item recommendations.

The status mart is built here directly from simulator output joined to the simulator's master
(adults only, as Subject 1 does), so the benchmark measures the ML step alone. The book's figures
(docs/analyses.md#status-classification, #customer-segments) are printed beside ours with one line on each difference
that remains.

    .venv/bin/python bench/bench_ml.py [--cars 100] [--date 20200322] [--only classify,cluster,recommend]
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
from smartcar.core.layouts import MASTER_COLUMNS, STATUS_COLUMNS
from smartcar.lake.catalog import table_spec
from smartcar.ml import jobs
from smartcar.ml.classification import metrics_from_counts
from smartcar.settings import Settings

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference-data"
REFERENCE_MASTER = REFERENCE / "CarMaster.txt"
REFERENCE_BUYLIST = REFERENCE / "CarItemBuyList_202003.txt"
BOOK = metrics_from_counts(tp=114_514, fp=6_241, tn=441_493, fn=41_056)
"""The book's confusion matrix (B2 PDF page 350): 603,304 test rows of about 100 cars."""


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
    out = table_spec("managed_smartcar_status_info").partition_path(date, settings)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / "part-00000.parquet")
    return len(columns["reg_date"])


def _side_by_side(ours: dict) -> None:
    book = BOOK.as_dict()
    print(f"  {'figure':<26}{'book':>12}{'ours':>12}")
    for key in (
        "rows_test",
        "abnormal_share_test",
        "accuracy",
        "precision_abnormal",
        "recall_abnormal",
        "f1_abnormal",
        "false_positive_rate",
        "precision_normal",
        "recall_normal",
        "f1_normal",
        "tn",
        "fp",
        "fn",
        "tp",
    ):
        b, o = book[key], ours[key]
        fmt = "{:>12,}" if isinstance(b, int) else "{:>12.4f}"
        print(f"  {key:<26}{fmt.format(b)}{fmt.format(o)}")
    print("  differences that remain:")
    print(
        f"  - test rows {ours['rows_test']:,} vs 603,304: the book's 30 % of its ~2.0 M-row mart of ~100 cars; ours is "
        "30 % of the adults' rows of the simulated cars (the over-18 join drops the minors, as Subject 1 does)."
    )
    print(
        f"  - abnormal share {ours['abnormal_share_test']:.3f} vs 0.258: the label follows the book's rule, but which "
        "cars age into worn tires, low batteries and failures depends on the generator's random draws (unseeded "
        "there, seeded here), so the mix of one simulated day is not the book's day."
    )
    print(
        f"  - recall(abnormal) {ours['recall_abnormal']:.3f} vs 0.736: the label is a threshold on a sum of 14 scores, "
        "which 5 trees of depth 5 (Spark's default depth, the book's too) only approximate, so how many abnormal "
        "rows are missed depends on how many sit near the threshold on that day: a property of the data."
    )
    print(
        f"  - accuracy {ours['accuracy']:.4f} vs 0.9216: follows from the lines above; the stages are the book's "
        "(StringIndexer, MinMaxScaler, VectorIndexer 20, RF 5 trees), and the split cannot explain it: at ~600 k "
        "test rows a different split moves accuracy by about sqrt(p(1-p)/n) = 0.0004."
    )


def bench_classify(settings: Settings, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    rows = build_status_mart(settings, args.date, args.cars)
    print(f"status mart rows (simulated, {args.cars} cars, adults): {rows:,} in {time.perf_counter() - started:.1f}s")
    for indexer in (True, False) if args.compare_indexer else (True,):
        started = time.perf_counter()
        metrics = jobs.run_classification(
            args.date, days=1, trees=5, seed=42, settings=settings, vector_indexer=indexer
        )
        label = "with VectorIndexer(20), the book's" if indexer else "without VectorIndexer"
        print(f"classification {label} (5 trees, 70/30 seeded): {time.perf_counter() - started:.1f}s incl. JVM start")
        if indexer:
            _side_by_side(metrics)
        else:
            print(
                f"  accuracy {metrics['accuracy']:.4f} recall(abnormal) {metrics['recall_abnormal']:.4f} "
                f"precision(abnormal) {metrics['precision_abnormal']:.4f}"
            )


def bench_cluster(settings: Settings, args: argparse.Namespace) -> None:
    target = table_spec("smartcar_master").root(settings)
    target.mkdir(parents=True, exist_ok=True)
    (target / "CarMaster.txt").write_bytes(REFERENCE_MASTER.read_bytes())
    started = time.perf_counter()
    result = jobs.run_clustering(args.date, k=200, seed=1, settings=settings)
    print(
        f"clustering of the reference master (k=200, seed 1): {time.perf_counter() - started:.1f}s; "
        f"silhouette {result['silhouette']:.4f} (book 0.85, MC 0.8587); clusters used {result['clusters_used']}"
    )


def build_buylist_mart(settings: Settings) -> int:
    """Subject 5 for the reference month: the reference buy list joined to the reference master's adults."""
    adults = {}
    for line in REFERENCE_MASTER.read_text(encoding="utf-8").splitlines():
        fields = line.split("|")
        if len(fields) == len(MASTER_COLUMNS) and int(fields[2]) >= 18:
            adults[fields[0]] = fields
    columns: dict[str, list[str]] = {c: [] for c in (*MASTER_COLUMNS, "item", "score")}
    for line in REFERENCE_BUYLIST.read_text(encoding="utf-8").splitlines():
        car, item, score, _month = line.split(",")
        if car in adults:
            for name, value in zip(MASTER_COLUMNS, adults[car], strict=True):
                columns[name].append(value)
            columns["item"].append(item)
            columns["score"].append(score)
    out = table_spec("managed_smartcar_item_buylist_info").partition_path("202003", settings)
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / "part-00000.parquet")
    return len(columns["item"])


def bench_recommend(settings: Settings, args: argparse.Namespace) -> None:
    rows = build_buylist_mart(settings)
    started = time.perf_counter()
    result = jobs.run_recommendation("202003", settings=settings)
    print(
        f"item recommendations, reference month 202003 ({rows:,} mart rows, item-item co-occurrence, top 3): "
        f"{time.perf_counter() - started:.1f}s; {result['cars']:,} cars, {result['rows']:,} rows"
    )
    print(
        f"  precision@3 on {result['test_share']:.0%} held-out car-item pairs ({result['cars_evaluated']:,} cars): "
        f"item-based {result['precision_at_3']:.4f}, popularity baseline {result['precision_at_3_popularity']:.4f} "
        "(the book printed no figure; the buy list is uniform random, so no method can beat chance by much)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--only", default="classify,cluster,recommend")
    parser.add_argument("--compare-indexer", action="store_true", help="also train without the VectorIndexer")
    args = parser.parse_args()
    steps = {"classify": bench_classify, "cluster": bench_cluster, "recommend": bench_recommend}
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        for name in args.only.split(","):
            if name in steps:
                steps[name](settings, args)


if __name__ == "__main__":
    main()
