"""The one atomic-write protocol: whole file or nothing, immutable names refused, no temp left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.core.fileio import atomic_write_text, atomic_writer


def test_replace_writes_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_error_inside_keeps_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_writer(target) as out:
        out.write(b"half")
        raise RuntimeError("disk gone")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_immutable_name_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "spool.csv"
    with atomic_writer(target, replace=False) as out:
        out.write(b"first")
    with pytest.raises(FileExistsError), atomic_writer(target, replace=False) as out:
        out.write(b"second")
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["spool.csv"]
