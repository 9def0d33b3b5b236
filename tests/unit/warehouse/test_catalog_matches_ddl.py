"""Each table's columns are defined once, in the catalog; the DDL and the export schema must agree with it.

The DDL is parsed from ``include/sql/ddl`` (what Hive creates), the export targets from
``smartcar.export.schema`` (what the RDBMS holds): a column renamed in one place and not the
others fails here instead of in a night's run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartcar.export.schema import TARGETS
from smartcar.lake.catalog import TABLES, table_spec

DDL_DIR = Path(__file__).resolve().parents[3] / "include" / "sql" / "ddl"
CREATE = re.compile(r"CREATE\s+(?:EXTERNAL\s+)?TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+)\s*\((.*?)\)\s*\n", re.I | re.S)
PARTITION = re.compile(r"PARTITIONED\s+BY\s*\(\s*`?(\w+)`?\s+\w+\s*\)", re.I)


def _ddl() -> dict[str, tuple[tuple[str, ...], str | None]]:
    tables = {}
    for path in sorted(DDL_DIR.glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text())
        match = CREATE.search(text)
        assert match, f"{path.name}: no CREATE TABLE statement"
        columns = tuple(line.split()[0].strip("`") for line in match[2].split(",") if line.strip())
        partition = PARTITION.search(text)
        tables[match[1].lower()] = (columns, partition[1] if partition else None)
    return tables


DDL = _ddl()


def test_every_catalog_table_has_ddl_and_back() -> None:
    assert sorted(DDL) == sorted(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_columns_and_partition_key_match_the_ddl(name: str) -> None:
    spec = table_spec(name)
    assert DDL[name] == (spec.columns, spec.partition_key)


@pytest.mark.parametrize("export", sorted(TARGETS))
def test_export_target_columns_are_the_mart_columns_plus_its_partition(export: str) -> None:
    source, target = TARGETS[export]
    spec = table_spec(source)
    assert tuple(c.name for c in target.columns) == (*spec.columns, spec.partition_key)
