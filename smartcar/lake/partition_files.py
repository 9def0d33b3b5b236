"""The files of a warehouse partition: which they are, their format, the partition values of a table.

Used by the reader (:mod:`smartcar.lake.reader`) and by whoever asks whether a partition has data
(the quality gate compares its files' age with the last report).
"""

from __future__ import annotations

from pathlib import Path

from smartcar.lake.catalog import TableSpec, partition_folder
from smartcar.settings import Settings

PARQUET_MAGIC = b"PAR1"
ORC_MAGIC = b"ORC"


def data_files(directory: Path) -> list[Path]:
    """Data files below ``directory`` (recursively), skipping markers such as ``_SUCCESS`` and ``.crc``."""
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(("_", ".")) and p.stat().st_size > 0
    )


def detect_format(files: list[Path]) -> str:
    """``parquet``, ``orc`` or ``text``, from the magic bytes of the first file."""
    with files[0].open("rb") as fh:
        head = fh.read(4)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(ORC_MAGIC):
        return "orc"
    return "text"


def partition_values(spec: TableSpec, settings: Settings) -> list[str]:
    """The values of ``spec``'s partition key that have a folder (``<key>=<value>``), sorted."""
    root = spec.root(settings)
    if spec.partition_key is None:
        return []
    prefix = partition_folder(spec.partition_key, "")
    return sorted(p.name[len(prefix) :] for p in (root.iterdir() if root.is_dir() else []) if p.name.startswith(prefix))
