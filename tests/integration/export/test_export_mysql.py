"""The export against MySQL/MariaDB through pymysql, when a server is named by SMARTCAR_TEST_MYSQL_URL.

Not started by the suite (no embedded MySQL in the runtime). Verified with MariaDB 10.11
(Debian ``mariadb-server``) started by hand::

    SMARTCAR_TEST_MYSQL_URL=mysql+pymysql://smartcar:smartcar@127.0.0.1:33077/smartcar pytest tests/integration/export
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.sample_day import write_sample_day
from smartcar.export.loader import export_date, latest_exports
from smartcar.export.migrate import downgrade, head_revision, upgrade
from smartcar.export.schema import VERSION_TABLE, metadata, symptom_info
from smartcar.settings import Settings

URL = os.environ.get("SMARTCAR_TEST_MYSQL_URL")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not URL, reason="set SMARTCAR_TEST_MYSQL_URL to a MySQL/MariaDB database"),
]


def test_mysql_migrations_export_and_rerun(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", export_db_url=URL or "")
    engine = sa.create_engine(settings.export_db_url)
    with engine.begin() as conn:
        for name in [t.name for t in reversed(metadata.sorted_tables)] + [VERSION_TABLE]:  # every export table
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO smartcar_symptom_info VALUES ('Z0100','2.5','normal','0.5','normal','2100','abnormal','20200101')"))  # fmt: skip
    assert upgrade(engine) == head_revision()
    write_sample_day("20200322", settings)
    first = [export_date(m, "20200322", engine, settings) for m in ("symptom", "emergency")]
    with engine.connect() as conn:
        snapshot = sorted(tuple(r) for r in conn.execute(sa.select(symptom_info)))
    again = [export_date(m, "20200322", engine, settings) for m in ("symptom", "emergency")]
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(sa.select(symptom_info))) == snapshot
    assert [(r.source_rows, r.target_rows) for r in first] == [(4, 4), (3, 3)]
    assert [r.deleted_rows for r in again] == [4, 3]
    assert ("Z0100", 2.5, "normal", 0.5, "normal", 2100, "abnormal", "20200101") in snapshot
    assert len(latest_exports(engine)) == 2
    assert downgrade(engine, "0001") == "0001" and upgrade(engine) == head_revision()
    engine.dispose()
