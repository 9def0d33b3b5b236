"""Row-key selection of one simulation date in DriverCarInfo (reversed timestamps)."""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from smartcar.core.driving_record import row_key
from smartcar.settings import Settings
from smartcar.warehouse import hbase_copy
from tests.fixtures.drive_partitions import key_matches, write_partition


def test_key_of_a_date_has_the_reversed_date_as_suffix_of_the_time_part() -> None:
    assert row_key("20200322240000", "G0007") == "00004222300202-G0007"
    assert key_matches(b"00004222300202-G0007", "20200322")  # the 240000 stamp stays on its day
    assert not key_matches(row_key("20200323000000", "G0007").encode(), "20200322")
    assert not key_matches(row_key("20210322000000", "G0007").encode(), "20200322")


def test_server_filter_regex_agrees_with_the_client_check() -> None:
    pattern = re.search(r"regexstring:(.*)'\)", hbase_copy.row_filter("20200322")).group(1)
    for ts in ("20200322000000", "20200322235958", "20200322240000", "20200321000000", "20200323000000"):
        key = row_key(ts, "A0001")
        assert bool(re.search(pattern, key)) == key_matches(key.encode(), "20200322") == (ts[:8] == "20200322")


def test_write_partition_replaces_previous_content(tmp_path) -> None:
    s = Settings(home=tmp_path, warehouse_uri=(tmp_path / "wh").as_uri())
    row = ("00000022300202-A0001", "20200322000000", "A0001", "1", "0", "F", "N", "10", "A01")
    write_partition("20200322", [[row, row]], s)
    target = write_partition("20200322", [[row]], s)
    assert [p.name for p in target.iterdir()] == ["part-00.parquet"]
    table = pq.read_table(target)
    assert table.num_rows == 1 and table.column_names == list(hbase_copy.COLUMNS)
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]
