"""One full simulated day for N cars through the batch warehouse, with the time of each step.

Steps: simulate the status file into the spool (not timed against the target: the simulator's own
job), ingest it (interceptors + ledger), load the day's driving events into HBase (set-up: the
streaming layer's job, timed for information), copy them out of HBase into SmartCar_Drive_Info_2,
then the over-18 master and the five marts. Prints one line per step and the total of the batch
steps (ingestion, HBase copy, marts), which the issue's target (< 5 min for 100 cars) is about.

Needs running services (``smartcar up`` or the SMARTCAR_* variables of a test session); it uses
a date of its own (default 20200322) and overwrites that date's partitions.

    .venv/bin/python bench/bench_batch_day.py --cars 100 --date 20200322
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from smartcar.core import driving_record
from smartcar.core.clients import hbase_connection
from smartcar.settings import get_settings

TIMES: list[tuple[str, float, str, bool]] = []


def step(name: str, fn: Callable[[], Any], batch: bool = True) -> Any:
    started = time.monotonic()
    result = fn()
    elapsed = time.monotonic() - started
    TIMES.append((name, elapsed, "" if result is None else str(result), batch))
    print(f"{name:<34} {elapsed:8.1f} s   {'' if result is None else result}", flush=True)
    return result


def load_hbase(date: str, cars: int, seed: int, workers: int = 4) -> int:
    """Put the day's driving events into DriverCarInfo (what the stream processor does live)."""
    from concurrent.futures import ThreadPoolExecutor

    from simulator.driving_log import iter_driving_lines

    conn = hbase_connection(get_settings())
    driving_record.ensure_table(conn)
    conn.close()
    columns = driving_record.COLUMNS

    def put(lines: list[str]) -> int:
        c = hbase_connection(get_settings())
        try:
            with c.table(driving_record.TABLE).batch(batch_size=5000) as batch:
                for line in lines:
                    fields = line.split(",")
                    batch.put(
                        driving_record.row_key(fields[0], fields[1]).encode(),
                        {col: v.encode() for col, v in zip(columns, fields, strict=True)},
                    )
            return len(lines)
        finally:
            c.close()

    total = 0
    chunk: list[str] = []
    with ThreadPoolExecutor(workers) as pool:
        futures = []
        for line in iter_driving_lines(date, cars, seed):
            chunk.append(line)
            if len(chunk) >= 100_000:
                futures.append(pool.submit(put, chunk))
                chunk = []
        if chunk:
            futures.append(pool.submit(put, chunk))
        for f in futures:
            total += f.result()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-hbase-load", action="store_true", help="the day is already in HBase")
    args = parser.parse_args()

    from simulator.buylist import write_buylist
    from simulator.master import write_master
    from simulator.status_log import write_status_file
    from smartcar.warehouse import pipeline

    s = get_settings()
    day = args.date
    wrk = day  # collected the same day
    print(
        f"batch day {day}, {args.cars} cars; services: hive {s.hive_host}:{s.hive_port}, "
        f"hbase {s.hbase_host}:{s.hbase_port}; warehouse {s.warehouse}",
        flush=True,
    )
    s.spool_path.mkdir(parents=True, exist_ok=True)

    step(
        "simulate status file (setup)",
        lambda: write_status_file(s.spool_path, day, args.cars, args.seed).name,
        batch=False,
    )
    step(
        "simulate master + buy list (setup)",
        lambda: (write_master(s.spool_path, args.seed), write_buylist(s.spool_path, day[:6], args.seed))[0].name,
        batch=False,
    )
    if not args.skip_hbase_load:
        step(
            "load driving events into HBase (setup)",
            lambda: f"{load_hbase(day, args.cars, args.seed)} rows",
            batch=False,
        )

    step("create tables", pipeline.ensure_tables)
    report = step("ingest spool (interceptors, ledger)", lambda: pipeline.ingest_spool(wrk))
    step("register status partition", lambda: pipeline.register_status_partition(wrk))
    step("master over 18", pipeline.build_master_over18)
    step("subject 1 status mart", lambda: pipeline.build_status_mart(wrk))
    step("HBase copy -> SmartCar_Drive_Info_2", lambda: f"{pipeline.copy_drive_from_hbase(day)} rows")
    step("subject 2 drive mart", lambda: pipeline.build_drive_mart(day))
    step("subject 3 symptom mart", lambda: pipeline.build_symptom_mart(day))
    step("subject 4 emergency mart", lambda: pipeline.build_emergency_mart(day))
    step("subject 5 buy-list mart", lambda: pipeline.build_buylist_mart(day[:6]))

    from smartcar.warehouse import hql
    from smartcar.warehouse.connection import connect

    conn = connect()
    counts = {}
    for table, col, key in [
        ("managed_smartcar_status_info", "biz_date", day),
        ("managed_smartcar_drive_info", "biz_date", day),
        ("managed_smartcar_symptom_info", "biz_date", day),
        ("managed_smartcar_emergency_check_info", "biz_date", day),
        ("managed_smartcar_item_buylist_info", "biz_month", day[:6]),
    ]:
        counts[table] = hql.execute(conn, [f"SELECT count(*) FROM {table} WHERE {col} = '{key}'"]).rows[0][0]
    conn.close()
    loaded = [(r["source_name"], r["lines_in"], r["lines_landed"], r["lines_filtered"]) for r in report["loaded"]]
    print("landed files (name, in, landed, filtered):", loaded)
    print("mart rows:", counts)
    batch_total = sum(t for _n, t, _r, b in TIMES if b)
    print(
        f"TOTAL batch steps (ingest + HBase copy + marts): {batch_total:.1f} s "
        f"(setup steps excluded: {sum(t for _n, t, _r, b in TIMES if not b):.1f} s)"
    )


if __name__ == "__main__":
    main()
