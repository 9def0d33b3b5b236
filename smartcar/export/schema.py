"""The export tables as they are after the latest migration (used to build the statements).

Names are kept from the original (``smartcar_symptom_info``, ``break`` spellings); the
emergency-check mart, which the original never exported, gets a table named the same way.
"""

from __future__ import annotations

import sqlalchemy as sa

VERSION_TABLE = "smartcar_export_version"
"""Alembic's version table for this package, so it can share a database with other apps."""

metadata = sa.MetaData()

symptom_info = sa.Table(
    "smartcar_symptom_info",
    metadata,
    sa.Column("car_number", sa.String(16), nullable=False),
    sa.Column("speed_p_avg", sa.Float(53)),
    sa.Column("speed_p_symptom", sa.String(16)),
    sa.Column("break_p_avg", sa.Float(53)),
    sa.Column("break_p_symptom", sa.String(16)),
    sa.Column("steer_a_cnt", sa.BigInteger),
    sa.Column("steer_p_symptom", sa.String(16)),
    sa.Column("biz_date", sa.String(8), nullable=False),
)

emergency_check_info = sa.Table(
    "smartcar_emergency_check_info",
    metadata,
    sa.Column("car_number", sa.String(16), nullable=False),
    sa.Column("tire_check", sa.String(32)),
    sa.Column("light_check", sa.String(32)),
    sa.Column("engine_check", sa.String(32)),
    sa.Column("break_check", sa.String(32)),
    sa.Column("battery_check", sa.String(32)),
    sa.Column("biz_date", sa.String(8), nullable=False),
)

item_recommend_info = sa.Table(
    "smartcar_item_recommend_info",
    metadata,
    sa.Column("car_number", sa.String(16), nullable=False),
    sa.Column("item", sa.String(16), nullable=False),
    sa.Column("score", sa.Float(53), nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("biz_month", sa.String(6), nullable=False),
)
"""Top 3 items per car and month (docs/analyses.md#item-recommendation), for the operational side's in-car offers."""

alert_incidents = sa.Table(
    "smartcar_alert_incident",
    metadata,
    sa.Column("rule", sa.String(64), primary_key=True),
    sa.Column("car_number", sa.String(16), primary_key=True),
    sa.Column("biz_date", sa.String(8), primary_key=True),
    sa.Column("first_alert_id", sa.String(96), nullable=False),
    sa.Column("window_start", sa.String(14), nullable=False),
    sa.Column("window_end", sa.String(14), nullable=False),
    sa.Column("value", sa.Float(53), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)
"""One row per rule, car and business day the alert-response DAG acted on, with that day's first alert."""

export_runs = sa.Table(
    "smartcar_export_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("biz_date", sa.String(8), nullable=False),
    sa.Column("source_rows", sa.Integer, nullable=False),
    sa.Column("target_rows", sa.Integer, nullable=False),
    sa.Column("deleted_rows", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seconds", sa.Float(53), nullable=False),
)

TARGETS: dict[str, tuple[str, sa.Table]] = {
    "symptom": ("managed_smartcar_symptom_info", symptom_info),
    "emergency": ("managed_smartcar_emergency_check_info", emergency_check_info),
    "recommend": ("managed_smartcar_item_recommend_info", item_recommend_info),
}
"""Export name -> (source mart, target table)."""
MONTHLY = frozenset({"recommend"})
"""Exports keyed by ``biz_month`` (yyyyMM); the others take a ``biz_date``."""


def period_column(table: sa.Table) -> sa.Column:
    """The column one export run replaces: ``biz_date`` for the daily marts, ``biz_month`` for monthly ones."""
    return table.c.biz_month if "biz_month" in table.c else table.c.biz_date
