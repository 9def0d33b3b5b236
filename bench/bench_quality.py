"""Print what a data-quality check costs: GE import, every table of a sample day, an empty partition, and
the status-mart validation at full size.

Usage: .venv/bin/python bench/bench_quality.py [--rows 2160000] [--home /tmp/smartcar-bench-quality]

Writes a synthetic managed_smartcar_status_info partition (100 cars, the generator's value bands)
plus the upstream tables its reconciliation reads, then validates it twice (cold and warm) with the
platform's runner. Figures are wall-clock on a shared machine: other work on the same cores inflates them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path


def _write(rows: int, date: str) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulator.sample_day import MASTER_ROWS
    from smartcar.lake.catalog import MASTER_COLUMNS, table_spec

    rng = np.random.default_rng(7)
    adults = [r for r in MASTER_ROWS if int(r[2]) >= 18]
    cars = np.array([f"{chr(65 + i % 26)}{i + 1:04d}" for i in range(100)])
    master = {c: [adults[i % len(adults)][j] for i in range(100)] for j, c in enumerate(MASTER_COLUMNS)}
    master["car_number"] = list(cars)
    spec = table_spec("smartcar_master_over18")
    spec.partition_path(None).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(master), spec.partition_path(None) / "part-0.parquet")
    idx = np.arange(rows)
    car_idx = idx % 100
    secs = (idx // 100) * 4
    reg = np.char.add(date, np.char.zfill((secs // 3600 * 10000 + secs % 3600 // 60 * 100 + secs % 60).astype(str), 6))
    data = {c: np.asarray(master[c])[car_idx] for c in MASTER_COLUMNS}
    for c in ("tire_fl", "tire_fr", "tire_bl", "tire_br", "battery"):
        data[c] = rng.integers(80, 101, rows).astype(str)
    for c in ("light_fl", "light_fr", "light_bl", "light_br"):
        data[c] = np.full(rows, "1")
    data["engine"] = rng.choice(["A", "B"], rows, p=[0.8, 0.2])
    data["break"] = rng.choice(["A", "B"], rows, p=[0.8, 0.2])
    data["reg_date"] = reg
    mart = table_spec("managed_smartcar_status_info").partition_path(date)
    mart.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(data), mart / "part-0.parquet")
    landed = table_spec("smartcar_status_info").partition_path(date)
    landed.mkdir(parents=True, exist_ok=True)
    cols = ["reg_date", "car_number", "tire_fl", "tire_fr", "tire_bl", "tire_br", "light_fl", "light_fr",
            "light_bl", "light_br", "engine", "break", "battery"]  # fmt: skip
    import pyarrow.csv as pcsv

    table = pa.table({c: data[c] for c in cols}).append_column("collect", pa.array(np.full(rows, date)))
    pcsv.write_csv(table, landed / "data.txt", pcsv.WriteOptions(include_header=False, quoting_style="none"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_160_000)
    parser.add_argument("--home", default="/tmp/smartcar-bench-quality")
    args = parser.parse_args()
    shutil.rmtree(args.home, ignore_errors=True)
    os.environ["SMARTCAR_HOME"] = args.home
    date, small = "20200322", "20200324"
    t = time.monotonic()
    _write(args.rows, date)
    from simulator.sample_day import write_sample_day

    write_sample_day(small)
    print(f"write {args.rows:,} status-mart rows + a sample day of every table: {time.monotonic() - t:.1f} s")
    t = time.monotonic()
    import great_expectations  # noqa: F401

    print(f"great_expectations import: {time.monotonic() - t:.1f} s")
    from smartcar.lake.catalog import TABLES
    from smartcar.quality.runner import validate

    print("each table of the sample day (first call includes the engine's start):")
    total = 0.0
    for table, spec in TABLES.items():
        value = None if spec.partition_key is None else ("202003" if spec.partition_key == "biz_month" else small)
        t = time.monotonic()
        report = validate(table, value)
        took = time.monotonic() - t
        total += took
        print(
            f"  {table:<40} {took:6.1f} s  {report.rows:>7,} rows  {report.evaluated:>3} expectations  {report.status}"
        )
    print(f"  {'all ten tables':<40} {total:6.1f} s")
    t = time.monotonic()
    report = validate("managed_smartcar_status_info", "20991231")
    print(f"validate an empty partition: {time.monotonic() - t:.1f} s ({report.status})")
    for label in ("cold", "warm"):
        t = time.monotonic()
        report = validate("managed_smartcar_status_info", date)
        print(f"validate status mart ({label}): {time.monotonic() - t:.1f} s, {report.rows:,} rows, "
              f"{report.evaluated} expectations, status {report.status}")  # fmt: skip
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
