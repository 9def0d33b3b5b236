"""Spool ingestion on small files: interceptors, reconciliation, ledger, durability, reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartcar.ingest import interceptors, spool
from smartcar.ingest.ledger import Ledger, LoadRecord, ledger_path
from smartcar.settings import Settings

REFERENCE = Path("/work/shared/reference-data")
HEADER = "SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", warehouse_uri=(tmp_path / "wh").as_uri())


def test_regex_filter_is_fourteen_ascii_digits() -> None:
    assert interceptors.keep(b"20200322000000,A0001,90")
    assert interceptors.keep(b"20200322240000\n")
    assert not interceptors.keep(HEADER.encode())
    assert not interceptors.keep(b"2020032200000,A0001")  # 13 digits
    assert not interceptors.keep(b" 20200322000000")
    assert not interceptors.keep("２０２００３２２０００００0".encode())  # full-width digits are not \d in Java
    assert interceptors.intercept(b"20200322000000,A0001\r\n", b",20200323") == b"20200322000000,A0001,20200323\n"
    with pytest.raises(ValueError):
        interceptors.collect_day_suffix("2020-03-23")


def test_status_file_lands_filtered_with_collect_day(settings: Settings) -> None:
    spool_dir = settings.spool_path
    spool_dir.mkdir(parents=True)
    lines = [HEADER, "20200322000000,A0001,90", HEADER, "20200322240000,B0002,80", "garbage", "20200322000004,C3"]
    (spool_dir / "SmartCarStatusInfo_20200322.txt").write_text("\n".join(lines))  # no final newline

    report = spool.ingest_spool("20200323", settings=settings)

    (record,) = report.loaded
    assert (record.lines_in, record.lines_landed, record.lines_filtered) == (6, 3, 3)
    assert (record.kind, record.data_date, record.wrk_date) == ("status", "20200322", "20200323")
    landed = Path(record.landed_path)
    assert landed.parent == settings.landing_path / "car-batch-log" / "wrk_date=20200323"
    assert landed.read_text().splitlines() == [
        "20200322000000,A0001,90,20200323",
        "20200322240000,B0002,80,20200323",
        "20200322000004,C3,20200323",
    ]
    assert not (spool_dir / "SmartCarStatusInfo_20200322.txt").exists()  # deleted after landing
    assert not [p for p in landed.parent.iterdir() if p.name.startswith(".")]  # no temp file left


def test_same_content_twice_is_loaded_once(settings: Settings) -> None:
    spool_dir = settings.spool_path
    spool_dir.mkdir(parents=True)
    body = "20200322000000,A0001,90\n"
    (spool_dir / "SmartCarStatusInfo_20200322.txt").write_text(body)
    first = spool.ingest_spool("20200323", settings=settings)
    (spool_dir / "SmartCarStatusInfo_20200322_resent.txt").write_text(body)  # another name, same bytes
    (spool_dir / "SmartCarStatusInfo_20200322.txt").write_text(body)  # the same name again
    second = spool.ingest_spool("20200324", settings=settings)

    assert len(first.loaded) == 1
    assert second.loaded == []
    assert sorted(second.duplicates) == ["SmartCarStatusInfo_20200322.txt", "SmartCarStatusInfo_20200322_resent.txt"]
    assert not list((settings.landing_path / "car-batch-log" / "wrk_date=20200324").iterdir())
    with Ledger(ledger_path(settings)) as ledger:
        assert [o for _n, o, _w, _c in ledger.deliveries()] == ["loaded", "duplicate", "duplicate"]
        assert len(ledger.loads()) == 1
    assert list(spool_dir.iterdir()) == []  # duplicates are removed from the spool too


def test_reference_files_land_unchanged(settings: Settings, tmp_path: Path) -> None:
    spool_dir = settings.spool_path
    spool_dir.mkdir(parents=True)
    for name in ("CarMaster.txt", "CarItemBuyList_202003.txt"):
        shutil.copy(REFERENCE / name, spool_dir / name)

    report = spool.ingest_spool("20200323", settings=settings, disposal="archive")

    by_kind = {r.kind: r for r in report.loaded}
    master, buylist = by_kind["master"], by_kind["buylist"]
    assert Path(master.landed_path).read_bytes() == (REFERENCE / "CarMaster.txt").read_bytes()
    assert Path(buylist.landed_path).read_bytes() == (REFERENCE / "CarItemBuyList_202003.txt").read_bytes()
    assert (master.lines_in, master.lines_landed, master.lines_filtered) == (2600, 2600, 0)
    assert (buylist.lines_in, buylist.data_date) == (100_000, "202003")
    assert Path(buylist.landed_path).name == "CarItemBuyList_202003.txt"
    assert (settings.home / "ingest" / "archive" / "20200323" / "CarMaster.txt").exists()


def test_unrecognised_and_in_flight_files_stay(settings: Settings) -> None:
    spool_dir = settings.spool_path
    spool_dir.mkdir(parents=True)
    (spool_dir / "notes.txt").write_text("hello\n")
    (spool_dir / ".SmartCarStatusInfo_20200322.txt.tmp").write_text("20200322000000,A0001\n")
    report = spool.ingest_spool("20200323", settings=settings)
    assert report.loaded == [] and report.unrecognised == ["notes.txt"]
    assert sorted(p.name for p in spool_dir.iterdir()) == [".SmartCarStatusInfo_20200322.txt.tmp", "notes.txt"]


def test_source_survives_a_failed_landing(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    spool_dir = settings.spool_path
    spool_dir.mkdir(parents=True)
    source = spool_dir / "SmartCarStatusInfo_20200322.txt"
    source.write_text("20200322000000,A0001\n")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("smartcar.core.fileio.os.fsync", disk_full)
    with pytest.raises(OSError):
        spool.ingest_spool("20200323", settings=settings)
    assert source.exists()  # nothing lost
    partition = settings.landing_path / "car-batch-log" / "wrk_date=20200323"
    assert list(partition.iterdir()) == []  # and nothing half-landed
    with Ledger(ledger_path(settings)) as ledger:
        assert ledger.loads() == []


def test_counts_must_reconcile() -> None:
    with pytest.raises(ValueError, match="reconcile"):
        LoadRecord("c", "status", "f", "20200323", None, 10, 7, 2, 100, "/x")
