"""The item-recommendation table: top 3 items per car and month, keyed by (biz_month, car_number, rank).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smartcar_item_recommend_info",
        sa.Column("car_number", sa.String(16), nullable=False),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(53), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("biz_month", sa.String(6), nullable=False),
        sa.PrimaryKeyConstraint("biz_month", "car_number", "rank", name="pk_smartcar_item_recommend_info"),
    )


def downgrade() -> None:
    op.drop_table("smartcar_item_recommend_info")
