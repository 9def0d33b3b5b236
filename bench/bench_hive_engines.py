"""The two HiveServer2 engines of the embedded ``hive`` service on one simulated day, side by side.

For ``SMARTCAR_HIVE_ENGINE=spark`` (Spark's Thrift server) and ``hive`` (Apache Hive 4.0.1, Tez
local, embedded Derby metastore): the start time to healthy (a fresh state directory, so Hive's
first start includes creating the metastore schema), the service's memory as ``smartcar status``
counts it (the process tree's RSS/PSS) idle and after the build, and the build time of each subject:
1 = ingest + status partition + master over 18 + status mart, 2 = HBase copy + drive mart, 3, 4, 5.
HBase (the driving events) is started once and shared; each engine gets its own home (warehouse,
spool, ledger), so both build the same input from scratch.

    .venv/bin/python bench/bench_hive_engines.py --cars 20 --date 20200322
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workload import services

from smartcar import runtime
from smartcar.runtime.health import free_port
from smartcar.settings import Settings, get_settings

SUBJECTS = ("1 status", "2 drive", "3 symptom", "4 emergency", "5 buy list")


def _timed(fn: Callable[[], Any]) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def _hive_mb(settings: Settings) -> float:
    rows = {r.name: r for r in runtime.status(settings)}
    return rows["hive"].rss_bytes / 2**20


def _build(day: str) -> dict[str, float]:
    from smartcar.warehouse import pipeline

    wrk = day
    return {
        "create tables": _timed(pipeline.ensure_tables),
        "1 status": _timed(
            lambda: (
                pipeline.ingest_spool(wrk),
                pipeline.register_status_partition(wrk),
                pipeline.build_master_over18(),
                pipeline.build_status_mart(wrk),
            )
        ),
        "2 drive": _timed(lambda: (pipeline.copy_drive_from_hbase(day), pipeline.build_drive_mart(day))),
        "3 symptom": _timed(lambda: pipeline.build_symptom_mart(day)),
        "4 emergency": _timed(lambda: pipeline.build_emergency_mart(day)),
        "5 buy list": _timed(lambda: pipeline.build_buylist_mart(day[:6])),
    }


def run_engine(engine: str, base: Path, day: str, cars: int, seed: int) -> dict[str, float]:
    """Start ``engine`` on a fresh home, build the day, stop it; the figures of one column."""
    from simulator.buylist import write_buylist
    from simulator.master import write_master
    from simulator.status_log import write_status_file

    home = base / f"engine-{engine}"
    home.mkdir()
    os.environ.update(
        {"SMARTCAR_HOME": str(home), "SMARTCAR_HIVE_ENGINE": engine, "SMARTCAR_HIVE_PORT": str(free_port())}
    )
    get_settings.cache_clear()
    s = get_settings()
    s.spool_path.mkdir(parents=True, exist_ok=True)
    write_status_file(s.spool_path, day, cars, seed)
    write_master(s.spool_path, seed)
    write_buylist(s.spool_path, day[:6], seed)
    figures: dict[str, float] = {}
    try:
        figures["start to healthy (s)"] = _timed(lambda: runtime.up(["hive"], s, echo=lambda _m: None))
        time.sleep(5)  # let the start's garbage settle before the idle reading
        figures["RSS idle (MiB)"] = _hive_mb(s)
        build = _build(day)
        figures["RSS after build (MiB)"] = _hive_mb(s)
        figures.update({f"build {k} (s)": v for k, v in build.items()})
        figures["build total (s)"] = sum(build.values())
    finally:
        runtime.down(["hive"], s, echo=lambda _m: None)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="20200322")
    parser.add_argument("--cars", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="spark,hive")
    args = parser.parse_args()

    from bench_batch_day import load_hbase

    with services(("hbase",)) as s:
        base = s.home
        rows = load_hbase(args.date, args.cars, args.seed)
        print(f"day {args.date}, {args.cars} cars: {rows} driving events in HBase", flush=True)
        results = {}
        for engine in args.engines.split(","):
            print(f"-- {engine} ...", flush=True)
            results[engine] = run_engine(engine, base, args.date, args.cars, args.seed)

    engines = list(results)
    print(f"\n{'figure':<28}" + "".join(f"{e:>12}" for e in engines))
    for key in results[engines[0]]:
        print(f"{key:<28}" + "".join(f"{results[e][key]:>12.1f}" for e in engines))


if __name__ == "__main__":
    main()
