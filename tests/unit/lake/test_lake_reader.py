"""The lake reader's one null rule and field-count rule, on the same file through every output."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.core.layouts import MASTER_COLUMNS
from smartcar.lake.catalog import table_spec
from smartcar.lake.reader import pandas_partition, partition_rows
from smartcar.settings import Settings

MASTER = table_spec("smartcar_master")  # landed text, '|'-delimited, 9 columns, unpartitioned


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def _write(settings: Settings, lines: list[str]) -> None:
    folder = MASTER.partition_path(None, settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "CarMaster.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_only_backslash_n_is_null_and_extra_fields_are_dropped(settings: Settings) -> None:
    _write(settings, ["A0001|남|34|기혼|서울|회사원|2000|2012|C|extra", "A0002||\\N|미혼|부산|학생|1000|2010|A", ""])
    rows = partition_rows(MASTER, None, settings)
    assert [r["car_number"] for r in rows] == ["A0001", "A0002"]  # the blank line is skipped
    assert rows[1]["sex"] == "" and rows[1]["age"] is None
    assert set(rows[0]) == set(MASTER_COLUMNS)
    frame = pandas_partition(MASTER, None, settings)
    assert frame["sex"].tolist() == ["남", ""]
    assert frame["age"].isna().tolist() == [False, True] and frame["age"].iloc[0] == 34


def test_a_short_line_reads_as_nulls_in_frames_and_is_refused_by_the_rows(settings: Settings) -> None:
    _write(settings, ["A0001|남|34|기혼|서울|회사원|2000|2012|C", "A0002|여|16"])
    frame = pandas_partition(MASTER, None, settings)
    assert len(frame) == 2 and frame.loc[1, ["marriage", "car_model"]].isna().all()
    with pytest.raises(ValueError, match="3 fields"):
        partition_rows(MASTER, None, settings)
