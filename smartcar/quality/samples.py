"""Small hand-made warehouse days, consistent across every stage, for tests and demos.

Writes one business date of every table in the physical layout of :mod:`smartcar.warehouse.catalog`
(text for the landed tables, Parquet for the managed ones), with the marts derived by the
rules of SEED_SPEC section 5 so that every reconciliation holds. ``defects`` injects the faults
the quality suites must catch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from smartcar.driving_table import row_key
from smartcar.settings import Settings, get_settings
from smartcar.warehouse.catalog import MASTER_COLUMNS, table_spec

DEFECTS = ("tire_out_of_range", "unknown_engine", "duplicate_key")

# car, sex, age, marriage, region, job, capacity, year, model
MASTER_ROWS: list[tuple[str, ...]] = [
    ("A0001", "남", "34", "기혼", "서울", "회사원", "2000", "2012", "C"),
    ("A0002", "여", "16", "미혼", "부산", "학생", "1000", "2010", "A"),  # under 18: dropped by the marts
    ("B0003", "여", "45", "기혼", "경기", "공무원", "2500", "2015", "E"),
    ("C0004", "남", "27", "미혼", "대전", "전문직", "1500", "2008", "B"),
    ("D0005", "남", "61", "기혼", "제주", "주부", "3000", "2016", "H"),
    ("E0006", "여", "19", "미혼", "세종", "프리랜서", "1200", "2001", "D"),
]
SPEEDS = {"A0001": [60, 65, 70, 75], "A0002": [10, 10, 10, 10], "B0003": [120, 150, 180, 200]}


def _status_rows(date: str) -> list[list[str]]:
    rows = []
    for car, *_ in MASTER_ROWS:
        for step in range(4):
            tire = "60" if car == "C0004" else str(85 + step)  # C0004: worn tires -> Tire Check
            engine = "C" if car == "D0005" and step == 3 else "A"  # D0005: engine C -> Engine Check
            light = "2" if car == "E0006" else "1"  # E0006: failed light -> Light Check
            ts = f"{date}{step * 4:06d}" if step < 3 else f"{date}240000"  # includes the hour-24 stamp
            rows.append([ts, car, tire, "90", "88", "92", light, "1", "1", "1", engine, "B", "95"])
    return rows


def _drive_rows(date: str) -> list[list[str]]:
    rows = []
    for car, *_ in MASTER_ROWS:
        for step in range(4):
            ts = f"{date}{step * 2:06d}"
            steer = "F" if car == "E0006" else ("L2" if step % 2 else "R1")  # E0006: no sharp turn
            speed = SPEEDS.get(car, [40, 45, 50, 55])[step]
            pedal, brake = (str(step % 6), "0") if step else ("0", "1")
            light = "L" if steer.startswith("L") else ("R" if steer.startswith("R") else "N")
            area = f"{car[0] if car[0] <= 'F' else 'A'}{step + 1:02d}"
            rows.append([row_key(ts, car), ts, car, pedal, brake, steer, light, str(speed), area])
    return rows


def _write_text(path: Path, rows: Iterable[list[str]], delimiter: str, extra: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(delimiter.join([*row, *(extra or [])]) + "\n")


def _write_parquet(path: Path, columns: list[str], rows: list[list[object]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    pq.write_table(table, path)


def _apply_defects(rows: list[list[str]], columns: list[str], defects: Iterable[str]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    defects = set(defects)
    if unknown := defects - set(DEFECTS):
        raise ValueError(f"unknown defects {sorted(unknown)}; known: {DEFECTS}")
    if "tire_out_of_range" in defects:
        rows[0][columns.index("tire_fl")] = "150"
    if "unknown_engine" in defects:
        rows[1][columns.index("engine")] = "X"
    if "duplicate_key" in defects:
        rows.append(list(rows[2]))
    return rows


def write_sample_day(date: str, settings: Settings | None = None, defects: Iterable[str] = ()) -> dict[str, Path]:
    """Write every table for ``date``; ``defects`` go into the status mart. Returns the partition paths."""
    s = settings or get_settings()
    paths: dict[str, Path] = {}
    master = [list(r) for r in MASTER_ROWS]
    adults = [r for r in master if int(r[2]) >= 18]
    adult_of = {r[0]: r for r in adults}

    spec = table_spec("smartcar_master")
    paths[spec.name] = spec.partition_path(None, s)
    _write_text(paths[spec.name] / "CarMaster.txt", master, "|")
    spec = table_spec("smartcar_master_over18")
    paths[spec.name] = spec.partition_path(None, s)
    _write_parquet(paths[spec.name] / "part-00000.parquet", list(MASTER_COLUMNS), adults)

    status = _status_rows(date)
    spec = table_spec("smartcar_status_info")
    paths[spec.name] = spec.partition_path(date, s)
    _write_text(paths[spec.name] / f"SmartCarStatusInfo_{date}.txt", status, ",", extra=[date])

    spec = table_spec("managed_smartcar_status_info")
    cols = list(spec.columns)
    mart = [[*adult_of[r[1]], *r[2:], r[0]] for r in status if r[1] in adult_of]
    mart = _apply_defects(mart, cols, defects)
    paths[spec.name] = spec.partition_path(date, s)
    _write_parquet(paths[spec.name] / "part-00000.parquet", cols, mart)

    drive = _drive_rows(date)
    spec = table_spec("smartcar_drive_info_2")
    paths[spec.name] = spec.partition_path(date, s)
    _write_text(paths[spec.name] / "part-00000.txt", drive, ",")
    spec = table_spec("managed_smartcar_drive_info")
    drive_mart = [[*adult_of[r[2]], *r[3:], r[1]] for r in drive if r[2] in adult_of]
    paths[spec.name] = spec.partition_path(date, s)
    _write_parquet(paths[spec.name] / "part-00000.parquet", list(spec.columns), drive_mart)

    # Symptom mart: per-car pedal averages and sharp-turn counts (the z-score labels need all
    # dates; with so few cars none is 2 sigma away, so every label is "normal").
    per_car: dict[str, list[list[str]]] = defaultdict(list)
    for r in drive_mart:
        per_car[r[0]].append(r)
    symptom = []
    for car, rs in sorted(per_car.items()):
        sharp = sum(1 for r in rs if r[11] in ("L2", "L3", "R2", "R3"))
        if sharp:
            speed_avg = sum(int(r[9]) for r in rs) / len(rs)
            brake_avg = sum(int(r[10]) for r in rs) / len(rs)
            symptom.append([car, speed_avg, "normal", brake_avg, "normal", sharp, "normal"])
    spec = table_spec("managed_smartcar_symptom_info")
    paths[spec.name] = spec.partition_path(date, s)
    _write_parquet(paths[spec.name] / "part-00000.parquet", list(spec.columns), symptom)

    emergency = []
    for car in sorted(adult_of):
        rs = [r for r in status if r[1] == car]
        tires = [sum(int(r[i]) for r in rs) / len(rs) for i in range(2, 6)]
        checks = [
            "Tire Check" if min(tires) < 80 else None,
            "Light Check" if any("2" in r[6:10] for r in rs) else None,
            "Engine Check" if any(r[10] == "C" for r in rs) else None,
            "Brake Check" if any(r[11] == "C" for r in rs) else None,
            "Battery Check" if sum(int(r[12]) for r in rs) / len(rs) < 30 else None,
        ]
        if any(checks):
            emergency.append([car, *checks])
    spec = table_spec("managed_smartcar_emergency_check_info")
    paths[spec.name] = spec.partition_path(date, s)
    _write_parquet(paths[spec.name] / "part-00000.parquet", list(spec.columns), emergency)
    return paths
