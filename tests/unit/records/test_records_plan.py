"""Which read plan a query gets, output formats, and correction input checks (no server needed)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from smartcar.records.corrections import parse_assignments
from smartcar.records.errors import CorrectionError, RecordsError, TimeRangeError
from smartcar.records.output import write_records
from smartcar.records.search import Record, RecordQuery, plan


def test_one_car_one_hour_is_a_multi_get() -> None:
    chosen = plan(RecordQuery.build("Z0020", "2020032210", "2020032210", ["speed>100"]))
    assert chosen.kind == "multi-get" and chosen.reads == 3600


def test_all_cars_few_seconds_is_prefix_scans_with_server_filter() -> None:
    chosen = plan(RecordQuery.build(None, "20200322100000", "20200322100009", ["speed>100"]))
    assert chosen.kind == "prefix-scans" and chosen.reads == 10
    assert "SingleColumnValueFilter('cf1', 'speed'" in (chosen.filter or "")


def test_all_cars_up_to_four_hours_is_still_prefix_scans() -> None:
    assert plan(RecordQuery.build(None, "2020032210", "2020032213")).kind == "prefix-scans"
    assert plan(RecordQuery.build(None, "2020032210", "2020032214")).kind == "scan"


def test_wide_ranges_are_one_filtered_scan() -> None:
    chosen = plan(RecordQuery.build(None, "20200322", "20200322", ["area_number=D04"]))
    assert chosen.kind == "scan"
    assert chosen.filter is not None and chosen.filter.startswith("(RowFilter(=, 'regexstring:^(")
    open_ended = plan(RecordQuery.build("Z0020", "20200322", None))
    assert open_ended.kind == "scan" and "-(Z0020)$" in (open_ended.filter or "")
    many_cars = plan(RecordQuery.build([f"A{i:04d}" for i in range(1, 11)], "20200301", "20200331"))
    assert many_cars.kind == "scan"


def test_unsatisfiable_query_never_reads() -> None:
    assert plan(RecordQuery.build(None, None, None, ["speed<0"])).kind == "empty"


def test_query_build_rejects_bad_input() -> None:
    with pytest.raises(TimeRangeError, match="after"):
        RecordQuery.build("Z0020", "20200323", "20200322")
    with pytest.raises(TimeRangeError, match="malformed car"):
        RecordQuery.build("Z 0020")
    with pytest.raises(RecordsError, match="limit"):
        RecordQuery.build(limit=0)
    assert RecordQuery.build("A0001, B0002,A0001").cars == ("A0001", "B0002")


def test_exact_recheck_on_keys_and_cells() -> None:
    query = RecordQuery.build("A0001", "2020032210", "2020032210", ["speed>100"])
    assert query.matches("00000122300202-A0001", {"speed": "101"})
    assert not query.matches("00000122300202-A0001", {"speed": "100"})
    assert not query.matches("00000122300202-B0002", {"speed": "101"})
    assert not query.matches("00000222300202-A0001", {"speed": "101"})  # hour 20, not 10


RECORDS = [
    Record("00000122300202-A0001", {"date": "20200322100000", "car_number": "A0001", "speed": "101"}),
    Record("20000122300202-A0001", {"date": "20200322100002", "car_number": "A0001", "area_number": "D,04"}),
]


def test_output_formats() -> None:
    out = io.StringIO()
    assert write_records(iter(RECORDS), "jsonl", out) == 2
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["row_key"] == "00000122300202-A0001" and first["speed"] == "101" and first["steer_angle"] == ""
    out = io.StringIO()
    write_records(iter(RECORDS), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[1]["area_number"] == "D,04" and len(rows) == 2
    out = io.StringIO()
    assert write_records(iter([]), "table", out) == 0
    assert out.getvalue().startswith("row_key")
    with pytest.raises(ValueError, match="unknown format"):
        write_records(iter(RECORDS), "xml", io.StringIO())


def test_correction_assignments() -> None:
    assert parse_assignments(["speed=090", "area_number=D04"]) == {"speed": "90", "area_number": "D04"}
    assert parse_assignments({"steer_angle": "L1"}) == {"steer_angle": "L1"}
    for bad, message in [
        (["sped=1"], "unknown column 'sped'"),
        (["speed"], "malformed correction"),
        (["speed=fast"], "holds integers"),
        (["speed=1", "speed=2"], "twice"),
        (["area_number="], "empty value"),
        ([], "nothing to correct"),
    ]:
        with pytest.raises(CorrectionError, match=message):
            parse_assignments(bad)
