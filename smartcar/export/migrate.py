"""Create or evolve the export tables in the target database (alembic, programmatically).

The migrations travel inside the package, so any database a SQLAlchemy URL names can be
brought to the current schema with ``smartcar export migrate`` or before every export.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from smartcar.export.schema import VERSION_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Migrate the target database to ``revision``; a no-op when it is already there."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    return current_revision(engine)


def downgrade(engine: sa.Engine, revision: str) -> str | None:
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)
    return current_revision(engine)
