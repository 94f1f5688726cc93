"""tier challenges: reps propose a tier or potential, managers approve (an override) or reject

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tier_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("proposed", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("model_tier", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
        sa.Column("model_potential", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedup_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_tier_challenge_customer_id_customer")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"], name=op.f("fk_tier_challenge_decided_by_id_person")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_tier_challenge_person_id_person")),
        sa.ForeignKeyConstraint(["run_id"], ["scoring_run.id"], name=op.f("fk_tier_challenge_run_id_scoring_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_challenge")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_tier_challenge_dedup_key")),
    )
    op.create_index(op.f("ix_tier_challenge_person_id"), "tier_challenge", ["person_id"], unique=False)
    op.create_index("ix_tier_challenge_customer_status", "tier_challenge", ["customer_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tier_challenge_customer_status", table_name="tier_challenge")
    op.drop_index(op.f("ix_tier_challenge_person_id"), table_name="tier_challenge")
    op.drop_table("tier_challenge")
