"""Alembic migrations of the export tables (run by :func:`smartcar.export.migrate.upgrade`)."""
