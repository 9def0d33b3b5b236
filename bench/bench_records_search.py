"""Record search on a full simulated day: 100 cars x 43,201 records = 4,320,100 DriverCarInfo rows.

Prints the wall time of ``smartcar.records.search`` plans against the runtime's Apache HBase and
its Thrift1 gateway (or any Thrift gateway given with ``--url``):

- one car, one hour (the issue-8 target: under 200 ms), with and without a column condition;
- one car, a whole day; all cars, ten seconds;
- optionally (``--full-scan``) one filtered scan over the whole table, which sizes the planner's
  prefix-scan threshold.

Loading 4.3 million rows takes a while, so the data directory is kept between runs
(default ``~/.cache/smartcar/bench-records``; a ``loaded.json`` marker says what it holds) and the
loader runs only when the marker is missing or describes other data. Loading uses batched puts
(``Table.batch``), the simulator's real driving-log generator, and ``row_key`` from
smartcar.core.driving_record, exactly as the stream writer keys rows.

    .venv/bin/python bench/bench_records_search.py              # load once, then measure
    .venv/bin/python bench/bench_records_search.py --cars 10     # smaller day for a quick look

Measured 2026-11-22 against the project's former own Thrift server, on the 2-core shared machine (load average 5-7 from other work; wall times
swing with it, the CPU columns much less): loading 4,320,100 rows 1,239 s (3.5k rows/s, under
load 12) plus a 10 s major compaction; one car, one hour, a different car and hour each run:
median 124 ms, min 62 ms, max 276 ms (34 ms client + 65 ms server CPU); same with
``speed>100 steer_angle in L2,L3,R2,R3``: median 95 ms; all cars, ten seconds: 15 ms; one car,
whole day: 3.0 s; all cars, one hour, ``speed>200``: 3.8 s as prefix scans, 68 s as one filtered
full scan (35 s server CPU; measured under load 12).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import happybase

from simulator.driving_log import iter_driving_lines
from smartcar.core.driving_record import COLUMNS, TABLE, ensure_table, row_key
from smartcar.records.search import Plan, RecordQuery, plan, search

DATE = "20200322"
SEED = 8


def connect(host: str, port: int, timeout: float = 60) -> happybase.Connection:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = happybase.Connection(host, port, transport="buffered", protocol="binary", timeout=600_000)
            conn.tables()
            return conn
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def load(conn: happybase.Connection, cars: int, batch: int) -> int:
    """Write the simulated day with batched puts; returns the row count."""
    table = ensure_table(conn)
    n = 0
    t0 = time.perf_counter()
    with table.batch(batch_size=batch) as b:
        for line in iter_driving_lines(DATE, cars, SEED):
            fields = line.split(",")
            b.put(row_key(fields[0], fields[1]).encode(), dict(zip(COLUMNS, (f.encode() for f in fields), strict=True)))
            n += 1
            if n % 200_000 == 0:
                rate = n / (time.perf_counter() - t0)
                print(f"  loaded {n:,} rows ({rate:,.0f} rows/s)", flush=True)
    print(f"loaded {n:,} rows in {time.perf_counter() - t0:,.0f} s", flush=True)
    compact(conn)
    return n


def compact(conn: happybase.Connection) -> None:
    """Major-compact after the bulk load, as an HBase operator would.

    Freshly loaded data sits in overlapping level-0 files; since reversed-timestamp keys spread every
    file over the whole key range, each point lookup would probe all of them. Compacting measured
    ~60 -> ~15 ms of storage CPU for one car-hour's 3,600 lookups.
    """
    t0 = time.perf_counter()
    conn.compact_table(TABLE, major=True)
    print(f"major compaction in {time.perf_counter() - t0:,.0f} s", flush=True)


SERVER_PID: int | None = None


def start_hbase(home: Path):
    """The runtime's Apache HBase on a home kept between runs (the loaded day survives), free ports."""
    from smartcar import runtime
    from smartcar.runtime.health import free_port
    from smartcar.settings import get_settings

    global SERVER_PID
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update({"SMARTCAR_HOME": str(home), "SMARTCAR_HBASE_HOST": "127.0.0.1",
                       "SMARTCAR_HBASE_PORT": str(free_port()), "SMARTCAR_HBASE_ZOOKEEPER_PORT": str(free_port())})  # fmt: skip
    get_settings.cache_clear()
    settings = get_settings()
    statuses = runtime.up(["hbase"], settings, echo=lambda m: print(f"  [runtime] {m}", flush=True))
    SERVER_PID = next(st for st in statuses if st.name == "hbase").pids[
        0
    ]  # the master JVM, which holds the region server in standalone mode
    return settings


def server_cpu_seconds() -> float:
    """User+system CPU of the server process so far (0 when it is not ours to read)."""
    if SERVER_PID is None:
        return 0.0
    fields = Path(f"/proc/{SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(
    queries: list[RecordQuery], table: happybase.Table, repeat: int, forced: Plan | None
) -> tuple[list[float], list[int], float, float]:
    """Wall times (ms), rows found, and mean client / server CPU ms per run (queries taken in turn)."""
    times, found = [], []
    cpu0, srv0 = time.process_time(), server_cpu_seconds()
    for i in range(repeat):
        query = queries[i % len(queries)]
        t0 = time.perf_counter()
        found.append(sum(1 for _ in search(query, table, chosen=forced or plan(query))))
        times.append((time.perf_counter() - t0) * 1000)
    client = (time.process_time() - cpu0) * 1000 / repeat
    server = (server_cpu_seconds() - srv0) * 1000 / repeat
    return times, found, client, server


def report(
    label: str, query: RecordQuery | list[RecordQuery], table: happybase.Table, repeat: int, forced: Plan | None = None
) -> None:
    """One line of figures; a list of queries is run in turn (different cars/hours: no warm cache)."""
    queries = query if isinstance(query, list) else [query]
    times, found, client, server = timed(queries, table, repeat, forced)
    kind = (forced or plan(queries[0])).kind
    rows = f"{min(found):,}" if min(found) == max(found) else f"{min(found):,}-{max(found):,}"
    print(
        f"{label:<48} plan={kind:<12} rows={rows:>9}  wall median={statistics.median(times):8.1f} ms"
        f" min={min(times):8.1f} max={max(times):8.1f}  CPU client={client:6.1f} server={server:6.1f} ms"
        f"  (n={repeat})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cars", type=int, default=100)
    parser.add_argument("--data-dir", type=Path, default=Path.home() / ".cache" / "smartcar" / "bench-records")
    parser.add_argument("--url", help="host:port of a running Thrift gateway (skips starting a server)")
    parser.add_argument("--batch", type=int, default=5000, help="puts per mutateRows call while loading")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--full-scan", action="store_true", help="also time one filtered scan of the whole table")
    args = parser.parse_args()

    settings = None
    data_dir = args.data_dir / f"cars{args.cars}"
    if args.url:
        host, _, port_text = args.url.rpartition(":")
        port = int(port_text)
    else:
        settings = start_hbase(data_dir / "home")
        host, port = settings.hbase_host, settings.hbase_port
    try:
        conn = connect(host, port)
        marker = data_dir / "loaded.json"
        wanted = {"date": DATE, "cars": args.cars, "seed": SEED}
        if args.url:
            stale = TABLE.encode() not in conn.tables() or not any(True for _ in conn.table(TABLE).scan(limit=1))
        else:
            stale = not marker.exists() or json.loads(marker.read_text()).get("key") != wanted
        if stale:
            print(f"loading {args.cars} cars x 43,201 records of {DATE} ...", flush=True)
            rows = load(conn, args.cars, args.batch)
            if not args.url:
                marker.write_text(json.dumps({"key": wanted, "rows": rows, "compacted": True}))
        elif args.url:
            print(f"reusing the {TABLE} rows already at {args.url}", flush=True)
        else:
            loaded = json.loads(marker.read_text())
            print(f"reusing {loaded['rows']:,} rows in {data_dir}", flush=True)
            if not loaded.get("compacted"):
                compact(conn)
                marker.write_text(json.dumps({**loaded, "compacted": True}))
        table = conn.table(TABLE)
        midnight = row_key(DATE + "000000", "").encode()
        cars = sorted(d[b"cf1:car_number"].decode() for _, d in table.scan(row_prefix=midnight))
        rnd = random.Random(1)
        car, hour = cars[0], f"{rnd.randint(0, 23):02d}"
        print(f"HBase Thrift at {host}:{port}; {len(cars)} cars; 2 shared cores, other work running", flush=True)
        pairs = [(rnd.choice(cars), f"{rnd.randint(0, 23):02d}") for _ in range(args.repeat)]
        report(
            "one car, one hour (a different car+hour each)",
            [RecordQuery.build(c, DATE + h, DATE + h) for c, h in pairs],
            table,
            args.repeat,
        )
        print(f"the rest: car {car}, hour {hour}", flush=True)
        report(
            "one car, one hour (same query repeated)",
            RecordQuery.build(car, DATE + hour, DATE + hour),
            table,
            args.repeat,
        )
        report(
            "one car, one hour, speed>100, steer in L2,L3,R2,R3",
            RecordQuery.build(car, DATE + hour, DATE + hour, ["speed>100", "steer_angle in L2,L3,R2,R3"]),
            table,
            args.repeat,
        )
        report(
            "one car, one hour, limit 10",
            RecordQuery.build(car, DATE + hour, DATE + hour, limit=10),
            table,
            args.repeat,
        )
        report(
            "all cars, ten seconds",
            RecordQuery.build(None, f"{DATE}{hour}3000", f"{DATE}{hour}3009"),
            table,
            args.repeat,
        )
        report(
            "all cars, one second",
            RecordQuery.build(None, f"{DATE}{hour}3000", f"{DATE}{hour}3000"),
            table,
            args.repeat,
        )
        report("one car, whole day", RecordQuery.build(car, DATE, DATE), table, max(1, args.repeat // 5))
        hour_fast = RecordQuery.build(None, DATE + hour, DATE + hour, ["speed>200"])
        report("all cars, one hour, speed>200", hour_fast, table, 1)
        if args.full_scan:
            forced = plan(hour_fast, max_prefix_scans=0)
            report("all cars, one hour, speed>200, forced full scan", hour_fast, table, 1, forced=forced)
        conn.close()
    finally:
        if settings is not None:
            from smartcar import runtime

            runtime.down(["hbase"], settings, echo=lambda _m: None)


if __name__ == "__main__":
    main()
