"""Record search and correction against the embedded HBase Thrift server with a simulated day.

Three cars' simulated day (the simulator's real generator) go into a table of their own (happybase
table prefix ``records_it``) so other suites writing DriverCarInfo cannot disturb the comparisons.
To keep the suite fast only hours 07 and 23 and the ``240000`` end-of-day stamp are loaded
(10,803 rows): every plan still meets keys from other hours and the day boundary, and the
embedded server scans the table in well under a second. bench/bench_records_search.py runs the
full 100-car day. Every search is checked against a plain Python scan of the whole table,
filtered by predicates written out here independently of smartcar.records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing

import happybase
import pytest
from click.testing import Result
from typer.testing import CliRunner

from simulator.driving_log import iter_driving_lines
from smartcar.core.clients import hbase_connection
from smartcar.core.driving_record import FAMILY, QUALIFIERS, TABLE, column, ensure_table, row_key
from smartcar.records.corrections import AUDIT_TABLE, correct, history
from smartcar.records.errors import ConditionError, CorrectionError, RowKeyError, TimeRangeError
from smartcar.records.search import RecordQuery, count, plan, search
from smartcar.settings import get_settings

pytestmark = pytest.mark.integration

PREFIX = "records_it"
DATE = "20200322"
CARS = 3
HOURS = ("07", "23", "24")
Row = tuple[str, dict[str, str]]


@pytest.fixture(scope="module")
def connection(hbase_service) -> Iterator[happybase.Connection]:
    with closing(hbase_connection(hbase_service, table_prefix=PREFIX)) as conn:
        yield conn


@pytest.fixture(scope="module")
def day(connection: happybase.Connection) -> list[Row]:
    """Load the simulated day once (idempotent: same keys, same values) and return a full Python scan."""
    table = ensure_table(connection)
    columns = [column(q) for q in QUALIFIERS]
    with table.batch(batch_size=5000) as batch:
        for line in iter_driving_lines(DATE, CARS, seed=8):
            fields = line.split(",")
            if fields[0][8:10] not in HOURS:
                continue
            batch.put(
                row_key(fields[0], fields[1]).encode(), dict(zip(columns, (f.encode() for f in fields), strict=True))
            )
    return _full_scan(table)


def _full_scan(table: happybase.Table) -> list[Row]:
    cut = len(FAMILY) + 1
    return [
        (key.decode(), {c.decode()[cut:]: v.decode() for c, v in data.items()})
        for key, data in table.scan(batch_size=5000)
    ]


def _expected(rows: list[Row], keep: Callable[[str, str, dict[str, str]], bool]) -> list[str]:
    """Keys whose (timestamp, car, values) pass ``keep``: the reference answer."""
    out = []
    for key, values in rows:
        reversed_ts, _, car = key.partition("-")
        if keep(reversed_ts[::-1], car, values):
            out.append(key)
    return out


def _keys(query: RecordQuery, connection: happybase.Connection) -> list[str]:
    return [r.key for r in search(query, connection.table(TABLE))]


def test_the_day_was_loaded(day: list[Row]) -> None:
    assert len(day) == CARS * (1800 + 1800 + 1)
    cars = sorted({values["car_number"] for _, values in day})
    assert len(cars) == CARS


def _cars(day: list[Row]) -> list[str]:
    return sorted({values["car_number"] for _, values in day})


def test_one_car_one_hour_multi_get_in_time_order(day: list[Row], connection: happybase.Connection) -> None:
    car = _cars(day)[0]
    query = RecordQuery.build(car, f"{DATE}07", f"{DATE}07")
    assert plan(query).kind == "multi-get"
    found = _keys(query, connection)
    expected = _expected(day, lambda ts, c, v: c == car and ts.startswith(f"{DATE}07"))
    assert len(found) == 1800
    assert sorted(found) == sorted(expected)
    assert [k[:14][::-1] for k in found] == sorted(k[:14][::-1] for k in found)  # chronological


AREA: list[str] = []
"""An area code present in the loaded data (cars draw their area group at random), set by ``_where``."""


def _where(where: list[str], day: list[Row]) -> list[str]:
    AREA[:] = [day[0][1]["area_number"]]
    return [w.format(area=AREA[0]) for w in where]


CONDITION_CASES: list[tuple[list[str], Callable[[dict[str, str]], bool]]] = [
    (["speed>100"], lambda v: int(v["speed"]) > 100),
    (["speed>=120", "speed<=130"], lambda v: 120 <= int(v["speed"]) <= 130),
    (["speed<10"], lambda v: int(v["speed"]) < 10),
    (["speed!=0"], lambda v: int(v["speed"]) != 0),
    (["speed in 30,60,90"], lambda v: v["speed"] in ("30", "60", "90")),
    (["speed_pedal=5", "break_pedal=0"], lambda v: v["speed_pedal"] == "5" and v["break_pedal"] == "0"),
    (["steer_angle in L2,L3,R2,R3"], lambda v: v["steer_angle"] in ("L2", "L3", "R2", "R3")),
    (["direct_light not in N"], lambda v: v["direct_light"] != "N"),
    (["area_number={area}"], lambda v: v["area_number"] == AREA[0]),
    (["area_number>={area}"], lambda v: v["area_number"] >= AREA[0]),
    (["area_number~10"], lambda v: "10" in v["area_number"].lower()),
]


@pytest.mark.parametrize(("where", "keep"), CONDITION_CASES, ids=[" ".join(w) for w, _ in CONDITION_CASES])
def test_each_condition_kind_one_car_hour_matches_python_scan(
    where: list[str], keep: Callable[[dict[str, str]], bool], day: list[Row], connection: happybase.Connection
) -> None:
    car = _cars(day)[1]
    query = RecordQuery.build(car, f"{DATE}0730", f"{DATE}08", _where(where, day))
    found = _keys(query, connection)
    expected = _expected(day, lambda ts, c, v: c == car and f"{DATE}0730" <= ts[:12] <= f"{DATE}0859" and keep(v))
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(("where", "keep"), CONDITION_CASES, ids=[" ".join(w) for w, _ in CONDITION_CASES])
def test_each_condition_kind_evaluated_by_the_server_is_exact(
    where: list[str], keep: Callable[[dict[str, str]], bool], day: list[Row], connection: happybase.Connection
) -> None:
    """All cars over the whole day: a single scan whose server filter alone must give the exact rows."""
    query = RecordQuery.build(None, DATE, DATE, _where(where, day))
    chosen = plan(query)
    assert chosen.kind == "scan" and chosen.filter
    expected = sorted(_expected(day, lambda ts, c, v: ts[:8] == DATE and keep(v)))
    assert expected, "the simulated day should contain rows for every case"
    # What the server returns for the filter, before any client-side re-check:
    raw = sorted(k.decode() for k, _ in connection.table(TABLE).scan(filter=chosen.filter, batch_size=5000))
    assert raw == expected
    assert sorted(r.key for r in search(query, connection.table(TABLE), chosen=chosen)) == expected


def test_all_cars_few_seconds_prefix_scans(day: list[Row], connection: happybase.Connection) -> None:
    query = RecordQuery.build(None, f"{DATE}233000", f"{DATE}233009", ["speed>=0"])
    assert plan(query).kind == "prefix-scans"
    expected = _expected(day, lambda ts, c, v: f"{DATE}233000" <= ts <= f"{DATE}233009")
    assert len(expected) == CARS * 5
    assert sorted(_keys(query, connection)) == sorted(expected)


def test_all_cars_ten_minutes_prefix_scans_filter_on_the_server(
    day: list[Row], connection: happybase.Connection
) -> None:
    query = RecordQuery.build(None, f"{DATE}0710", f"{DATE}0719", ["speed>50", "direct_light in L,R"])
    chosen = plan(query)
    assert chosen.kind == "prefix-scans" and chosen.reads == 600
    keep = lambda v: int(v["speed"]) > 50 and v["direct_light"] in ("L", "R")  # noqa: E731
    expected = _expected(day, lambda ts, c, v: f"{DATE}071000" <= ts <= f"{DATE}071959" and keep(v))
    assert expected
    found = _keys(query, connection)
    assert found == sorted(found, key=lambda k: k[:14][::-1])  # time order
    assert sorted(found) == sorted(expected)
    # The server filter alone already returns exactly these rows for any one second:
    table = connection.table(TABLE)
    for key in expected[:5]:
        raw = [k.decode() for k, _ in table.scan(row_prefix=key[:15].encode(), filter=chosen.filter)]
        assert raw == sorted(k for k in expected if k[:15] == key[:15])


def test_cars_and_time_range_in_one_filtered_scan(day: list[Row], connection: happybase.Connection) -> None:
    car = _cars(day)[0]
    query = RecordQuery.build(car, f"{DATE}2330", None, ["speed>50"])
    assert plan(query).kind == "scan"
    expected = _expected(day, lambda ts, c, v: c == car and ts >= f"{DATE}233000" and int(v["speed"]) > 50)
    assert sorted(_keys(query, connection)) == sorted(expected)


def test_day_end_stamp_belongs_to_its_day(day: list[Row], connection: happybase.Connection) -> None:
    car = _cars(day)[0]
    found = _keys(RecordQuery.build(car, f"{DATE}2359", DATE), connection)
    assert found[-1] == row_key(f"{DATE}240000", car)
    assert len(found) == 31  # 23:59:00..23:59:58 every 2 s, then 24:00:00


def test_limit_and_count(day: list[Row], connection: happybase.Connection) -> None:
    table = connection.table(TABLE)
    query = RecordQuery.build(None, DATE, DATE, ["speed>100"], limit=7)
    assert len(list(search(query, table))) == 7
    full = RecordQuery.build(None, DATE, DATE, ["speed>100"])
    assert count(full, table) == len(_expected(day, lambda ts, c, v: int(v["speed"]) > 100))


def test_bad_search_input_is_rejected_before_reading() -> None:
    with pytest.raises(ConditionError, match="unknown column"):
        RecordQuery.build(where=["colour=red"])
    with pytest.raises(ConditionError, match="malformed"):
        RecordQuery.build(where=["speed"])
    with pytest.raises(TimeRangeError, match="after"):
        RecordQuery.build(None, f"{DATE}11", f"{DATE}10")


def _audit_rows(connection: happybase.Connection, key: str) -> list[bytes]:
    if AUDIT_TABLE.encode() not in connection.tables():
        return []
    return [k for k, _ in connection.table(AUDIT_TABLE).scan(row_prefix=f"{key}|".encode())]


def test_correction_is_visible_keeps_history_and_is_audited(day: list[Row], connection: happybase.Connection) -> None:
    key, values = day[1234]
    old_speed = values["speed"]
    new_speed = str(int(old_speed) + 7)
    done = correct(
        key, [f"speed={new_speed}", "area_number=Z99"], user="tester", reason="radar check", connection=connection
    )
    assert done.changes == {"speed": (old_speed, new_speed), "area_number": (values["area_number"], "Z99")}

    # Visible to searches, server-side filter included.
    table = connection.table(TABLE)
    assert [r.key for r in search(RecordQuery.build(None, DATE, DATE, ["area_number=Z99"]), table)] == [key]
    record = next(search(RecordQuery.build(key.split("-")[1], key[:14][::-1], key[:14][::-1]), table))
    assert record.values["speed"] == new_speed

    # Previous value kept as an older version; audit row recorded and marked applied.
    past = history(key, connection)
    assert [v for _, v in past.versions["speed"]] == [new_speed, old_speed]
    assert past.versions["speed"][0][0] == done.cell_timestamp
    assert [v for _, v in past.versions["date"]] == [values["date"]]
    (entry,) = past.audits
    assert (entry.user, entry.reason, entry.status) == ("tester", "radar check", "applied")
    assert entry.changes["speed"] == (old_speed, new_speed)


def test_bad_corrections_write_nothing(day: list[Row], connection: happybase.Connection) -> None:
    key, values = day[4321]
    table = connection.table(TABLE)
    before = table.row(key.encode(), include_timestamp=True)
    missing = row_key(f"{DATE}103001", "Q0999")  # odd second, unknown car: no such record
    cases: list[tuple[str, list[str], type[Exception], str]] = [
        (key, ["colour=red"], CorrectionError, "unknown column"),
        (key, ["speed=fast"], CorrectionError, "integers"),
        (key, ["speed=1", "sped=2"], CorrectionError, "unknown column 'sped'"),
        (key, [f"speed={values['speed']}"], CorrectionError, "nothing to correct"),
        (missing, ["speed=1"], RowKeyError, "no record"),
        ("not-a-key", ["speed=1"], RowKeyError, "malformed row key"),
    ]
    for target, changes, error, message in cases:
        with pytest.raises(error, match=message):
            correct(target, changes, user="tester", connection=connection)
    assert table.row(key.encode(), include_timestamp=True) == before
    assert _audit_rows(connection, key) == []
    assert table.row(missing.encode()) == {}
    assert _audit_rows(connection, missing) == []
    with pytest.raises(RowKeyError, match="no record"):
        history(missing, connection)


@pytest.fixture
def records_cli(hbase_service, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """``smartcar records ...`` in-process (Typer's runner) against this module's prefixed tables."""
    from smartcar.records.cli import app
    from smartcar.settings import get_settings

    monkeypatch.setenv("SMARTCAR_HBASE_TABLE_PREFIX", PREFIX)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        yield lambda *args: runner.invoke(app, list(args))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_cli_search_correct_history(day: list[Row], records_cli, smartcar_cli) -> None:
    car = _cars(day)[0]
    # Once through the real `smartcar` entry point in a child process (the sub-command is registered)...
    result = smartcar_cli("records", "search", "--car", car, "--from", f"{DATE}0700", "--to", f"{DATE}0700",
                          "speed>=0", "--format", "csv", check=True)  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0].startswith("row_key,date,car_number") and len(lines) == 1 + 30
    # ... the rest in-process, which is much faster on a busy machine.
    counted = records_cli("search", "--count", "--from", DATE, "--to", DATE, "steer_angle in L3")
    assert counted.exit_code == 0, counted.output
    assert int(counted.stdout) == len(_expected(day, lambda ts, c, v: v["steer_angle"] == "L3"))
    jsonl = records_cli("search", "--car", car, "--from", f"{DATE}2359", "--to", DATE, "-o", "jsonl", "-n", "2")
    assert [json.loads(x)["car_number"] for x in jsonl.stdout.splitlines()] == [car, car]

    key = lines[1].split(",")[0]
    fixed = records_cli("correct", key, "direct_light=R", "--user", "cli")
    assert fixed.exit_code == 0, fixed.output
    assert f"{key}  direct_light:" in fixed.stdout and "audited as" in fixed.stdout
    shown = records_cli("history", key)
    assert "(previous)" in shown.stdout and "by cli [applied]" in shown.stdout
    listed = records_cli("audit", "--user", "cli")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith(f"{key}  ") and "direct_light:" in listed.stdout
    assert records_cli("audit", "--user", "nobody").stdout == ""

    for args, message in [
        (("search", "sped>1"), "unknown column 'sped'"),
        (("search", "speed>>1"), "not a non-negative integer"),
        (("search", "--from", f"{DATE}11", "--to", f"{DATE}10"), "is after to"),
        (("correct", key, "colour=red"), "unknown column"),
        (("correct", row_key(f"{DATE}000001", car), "speed=1"), "no record"),
        (("history", "nope"), "malformed row key"),
    ]:
        bad = records_cli(*args)
        assert bad.exit_code == 1, (args, bad.output)
        assert bad.stderr.startswith("Error: ") and message in bad.stderr, (args, bad.stderr)
    assert len(_audit_rows_cli(key)) == 1


def _audit_rows_cli(key: str) -> list[bytes]:
    with closing(hbase_connection(get_settings(), table_prefix=PREFIX)) as conn:
        return _audit_rows(conn, key)


def test_missing_cells_and_non_numbers_match_no_condition(connection: happybase.Connection) -> None:
    """HBase's filterIfMissing and the numeric regexes agree with the exact check on odd rows."""
    table = ensure_table(connection)
    odd_day, car = "20200323", "M9999"
    rows = {
        row_key(f"{odd_day}000000", car): {"speed": "fast", "area_number": "D04"},
        row_key(f"{odd_day}000002", car): {"area_number": "D04"},  # no speed at all
        row_key(f"{odd_day}000004", car): {"speed": "0120", "area_number": "d04"},  # padded number
    }
    for key, values in rows.items():
        table.put(key.encode(), {column(c): v.encode() for c, v in values.items()})
    cases = {
        "speed>100": [row_key(f"{odd_day}000004", car)],
        "speed!=5": [row_key(f"{odd_day}000004", car)],
        "speed=120": [row_key(f"{odd_day}000004", car)],
        "speed~fa": [row_key(f"{odd_day}000000", car)],
        "area_number=D04": [row_key(f"{odd_day}000000", car), row_key(f"{odd_day}000002", car)],
        "area_number~D04": sorted(rows),
    }
    for condition, expected in cases.items():
        query = RecordQuery.build(None, odd_day, odd_day, [condition])
        chosen = plan(query)
        raw = sorted(k.decode() for k, _ in table.scan(filter=chosen.filter))
        assert raw == sorted(expected), condition  # the server alone
        assert sorted(r.key for r in search(query, table, chosen=chosen)) == sorted(expected), condition
