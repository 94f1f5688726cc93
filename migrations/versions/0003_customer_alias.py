"""customer aliases, and customer kind labels and provinces

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("alias_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], name=op.f("fk_customer_alias_created_by_id_person")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_alias_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_alias")),
        sa.UniqueConstraint("alias_key", name=op.f("uq_customer_alias_alias_key")),
    )
    op.create_index(op.f("ix_customer_alias_customer_id"), "customer_alias", ["customer_id"], unique=False)
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind_label", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch_op.add_column(sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("province")
        batch_op.drop_column("kind_label")
    op.drop_index(op.f("ix_customer_alias_customer_id"), table_name="customer_alias")
    op.drop_table("customer_alias")
