"""The alert incident log: one row per rule, car and business day the alert-response DAG acted on.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smartcar_alert_incident",
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("car_number", sa.String(16), nullable=False),
        sa.Column("biz_date", sa.String(8), nullable=False),
        sa.Column("first_alert_id", sa.String(96), nullable=False),
        sa.Column("window_start", sa.String(14), nullable=False),
        sa.Column("window_end", sa.String(14), nullable=False),
        sa.Column("value", sa.Float(53), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rule", "car_number", "biz_date", name="pk_smartcar_alert_incident"),
    )
    op.create_index("ix_smartcar_alert_incident_date", "smartcar_alert_incident", ["biz_date"])


def downgrade() -> None:
    op.drop_index("ix_smartcar_alert_incident_date", table_name="smartcar_alert_incident")
    op.drop_table("smartcar_alert_incident")
