"""Typed numbers, a key per car and date, the emergency-check table and the export log.

The original kept numbers as text and had no key, so a re-run of Sqoop duplicated rows. The
key (biz_date, car_number) makes a duplicate impossible, and the typed columns let the
operational side sort and filter. The emergency-check mart gets a table of its own.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NUMERIC = {"speed_p_avg": sa.Float(53), "break_p_avg": sa.Float(53), "steer_a_cnt": sa.BigInteger()}
PG_TYPES = {"speed_p_avg": "double precision", "break_p_avg": "double precision", "steer_a_cnt": "bigint"}


def upgrade() -> None:
    with op.batch_alter_table("smartcar_symptom_info") as batch:
        for column, type_ in NUMERIC.items():
            batch.alter_column(
                column,
                type_=type_,
                existing_type=sa.String(32),
                postgresql_using=f"NULLIF(trim({column}), '')::{PG_TYPES[column]}",
            )
        batch.alter_column("car_number", type_=sa.String(16), existing_type=sa.String(32), nullable=False)
        batch.alter_column("biz_date", type_=sa.String(8), existing_type=sa.String(32), nullable=False)
        for column in ("speed_p_symptom", "break_p_symptom", "steer_p_symptom"):
            batch.alter_column(column, type_=sa.String(16), existing_type=sa.String(32))
        batch.create_primary_key("pk_smartcar_symptom_info", ["biz_date", "car_number"])

    op.create_table(
        "smartcar_emergency_check_info",
        sa.Column("car_number", sa.String(16), nullable=False),
        sa.Column("tire_check", sa.String(32)),
        sa.Column("light_check", sa.String(32)),
        sa.Column("engine_check", sa.String(32)),
        sa.Column("break_check", sa.String(32)),
        sa.Column("battery_check", sa.String(32)),
        sa.Column("biz_date", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("biz_date", "car_number", name="pk_smartcar_emergency_check_info"),
    )
    op.create_table(
        "smartcar_export_runs",
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
    op.create_index("ix_smartcar_export_runs_date", "smartcar_export_runs", ["biz_date", "table_name"])


def downgrade() -> None:
    op.drop_index("ix_smartcar_export_runs_date", "smartcar_export_runs")
    op.drop_table("smartcar_export_runs")
    op.drop_table("smartcar_emergency_check_info")
    with op.batch_alter_table("smartcar_symptom_info") as batch:
        batch.drop_constraint("pk_smartcar_symptom_info", type_="primary")
        for column in (
            "car_number",
            "speed_p_avg",
            "speed_p_symptom",
            "break_p_avg",
            "break_p_symptom",
            "steer_a_cnt",
            "steer_p_symptom",
            "biz_date",
        ):
            batch.alter_column(column, type_=sa.String(32), nullable=True, postgresql_using=f"{column}::varchar(32)")
