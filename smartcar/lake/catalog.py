"""The warehouse table catalog: where each table lives and what its columns are (docs/data-formats.md).

Whatever reads or writes the lake by path (the reader of :mod:`smartcar.lake.reader`, the landing,
the ML output) needs the physical layout, the one Sqoop read from the Hive warehouse directory:
the landed (external) tables sit under ``settings.landing_path`` in the original's folder names,
the managed tables under ``<warehouse>/<table_lowercase>``; a partition is a Hive-style
``<key>=<value>`` folder, named by :func:`partition_folder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from smartcar.core.driving_record import MEASURES, NUMERIC_FIELDS
from smartcar.core.layouts import MASTER_COLUMNS, STATUS_COLUMNS
from smartcar.settings import Settings, get_settings

MASTER_NUMERIC = {"age": "int", "car_capacity": "int", "car_year": "int"}
STATUS_NUMERIC = {c: "int" for c in ("tire_fl", "tire_fr", "tire_bl", "tire_br", "battery")}
DRIVE_NUMERIC = {f: "int" for f in MEASURES if f in NUMERIC_FIELDS}


def partition_folder(key: str, value: str) -> str:
    """The folder name of a partition, ``<key>=<value>``, as Hive names it (``value`` "" gives the prefix)."""
    return f"{key}={value}"


@dataclass(frozen=True)
class TableSpec:
    """Physical layout of one table.

    ``columns`` are the data columns in file order (text files carry no header); ``numeric``
    names the columns read as numbers: Hive keeps them as strings, so the reader's frames parse
    them leniently and a value that is not a number shows up as a null.
    """

    name: str
    location: str
    """``landing:<dir>`` (under the landing path) or ``warehouse:<dir>``."""
    columns: tuple[str, ...]
    partition_key: str | None = None
    delimiter: str = ","
    extra_text_fields: int = 0
    """Trailing fields text files carry without a column (the Flume collection date).

    The reader drops any field past the columns; naming these keeps such files on its fast parser."""
    numeric: dict[str, str] = field(default_factory=dict)

    def root(self, settings: Settings) -> Path:
        """The table's folder: its data files, or its partition folders."""
        kind, _, rel = self.location.partition(":")
        base = settings.landing_path if kind == "landing" else settings.warehouse_path
        return base / rel

    def partition_path(self, value: str | None, settings: Settings | None = None) -> Path:
        """The folder of partition ``value``; the table's root when it is unpartitioned or ``value`` is None."""
        root = self.root(settings or get_settings())
        if self.partition_key is None or value is None:
            return root
        return root / partition_folder(self.partition_key, value)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "smartcar_status_info",
            "landing:car-batch-log",
            ("reg_date", "car_number", *STATUS_COLUMNS),
            partition_key="wrk_date",
            extra_text_fields=1,
            numeric=STATUS_NUMERIC,
        ),
        TableSpec("smartcar_master", "landing:car-master", MASTER_COLUMNS, delimiter="|", numeric=MASTER_NUMERIC),
        TableSpec(
            "smartcar_item_buylist",
            "landing:buy-list",
            ("car_number", "item", "score", "month"),
            numeric={"score": "int"},
        ),
        TableSpec(
            "smartcar_drive_info_2",
            "landing:drive-log",
            ("r_key", "r_date", "car_number", *MEASURES),
            partition_key="wrk_date",
            numeric=DRIVE_NUMERIC,
        ),
        TableSpec("smartcar_master_over18", "warehouse:smartcar_master_over18", MASTER_COLUMNS, numeric=MASTER_NUMERIC),
        TableSpec(
            "managed_smartcar_status_info",
            "warehouse:managed_smartcar_status_info",
            (*MASTER_COLUMNS, *STATUS_COLUMNS, "reg_date"),
            partition_key="biz_date",
            numeric={**MASTER_NUMERIC, **STATUS_NUMERIC},
        ),
        TableSpec(
            "managed_smartcar_drive_info",
            "warehouse:managed_smartcar_drive_info",
            (*MASTER_COLUMNS, *MEASURES, "reg_date"),
            partition_key="biz_date",
            numeric={**MASTER_NUMERIC, **DRIVE_NUMERIC},
        ),
        TableSpec(
            "managed_smartcar_symptom_info",
            "warehouse:managed_smartcar_symptom_info",
            (
                "car_number",
                "speed_p_avg",
                "speed_p_symptom",
                "break_p_avg",
                "break_p_symptom",
                "steer_a_cnt",
                "steer_p_symptom",
            ),
            partition_key="biz_date",
            numeric={"speed_p_avg": "double", "break_p_avg": "double", "steer_a_cnt": "bigint"},
        ),
        TableSpec(
            "managed_smartcar_emergency_check_info",
            "warehouse:managed_smartcar_emergency_check_info",
            ("car_number", "tire_check", "light_check", "engine_check", "break_check", "battery_check"),
            partition_key="biz_date",
        ),
        TableSpec(
            "managed_smartcar_item_buylist_info",
            "warehouse:managed_smartcar_item_buylist_info",
            (*MASTER_COLUMNS, "item", "score"),
            partition_key="biz_month",
            numeric={**MASTER_NUMERIC, "score": "int"},
        ),
        TableSpec(
            "managed_smartcar_item_recommend_info",
            "warehouse:managed_smartcar_item_recommend_info",
            ("car_number", "item", "score", "rank"),
            partition_key="biz_month",
            numeric={"score": "double", "rank": "int"},
        ),
    )
}


def table_spec(name: str) -> TableSpec:
    """The spec of ``name`` (case-insensitive, as Hive treats table names)."""
    try:
        return TABLES[name.lower()]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}") from None
