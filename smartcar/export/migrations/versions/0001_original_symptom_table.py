"""The original Sqoop target, as the book created it: every column varchar (docs/data-formats.md#export-table).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

COLUMNS = (
    "car_number",
    "speed_p_avg",
    "speed_p_symptom",
    "break_p_avg",
    "break_p_symptom",
    "steer_a_cnt",
    "steer_p_symptom",
    "biz_date",
)


def upgrade() -> None:
    op.create_table("smartcar_symptom_info", *(sa.Column(c, sa.String(32)) for c in COLUMNS))


def downgrade() -> None:
    op.drop_table("smartcar_symptom_info")
