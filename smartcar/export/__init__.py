"""The Sqoop-style export of the marts to an operational database named by a SQLAlchemy URL.

The original ran ``sqoop export`` of the symptom mart's warehouse directory into a
pre-created PostgreSQL table; here the target tables are created and evolved by the alembic
migrations of :mod:`smartcar.export.migrations`, and each date is loaded in one transaction
(see :mod:`smartcar.export.loader`).
"""
