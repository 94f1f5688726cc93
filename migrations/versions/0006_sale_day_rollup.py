"""daily sales rollup (sale_day), filled from sale_line; scoring runs say when their snapshot was pruned

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same rows bot.importing.sale_days keeps up to date, written out here so the migration stays as it is.
_BACKFILL = """
INSERT INTO sale_day (customer_id, day, amount, positive_amount, lines, positive_lines)
SELECT customer_id, {day}, SUM(amount), SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), COUNT(*),
       SUM(CASE WHEN amount > 0 THEN 1 ELSE 0 END)
FROM sale_line GROUP BY customer_id, sold_on
"""
# Days since 1970-01-01 (SQLite stores dates as YYYY-MM-DD text).
_DAY = {"sqlite": "CAST(julianday(sold_on) - 2440587.5 AS INTEGER)", "postgresql": "(sold_on - DATE '1970-01-01')"}


def upgrade() -> None:
    op.create_table(
        "sale_day",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("positive_amount", sa.Float(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("positive_lines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_sale_day_customer_id_customer")),
        sa.PrimaryKeyConstraint("customer_id", "day", name=op.f("pk_sale_day")),
        sqlite_with_rowid=False,
    )
    op.execute(_BACKFILL.format(day=_DAY[op.get_bind().dialect.name]))
    with op.batch_alter_table("scoring_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scoring_run", schema=None) as batch_op:
        batch_op.drop_column("pruned_at")
    op.drop_table("sale_day")
