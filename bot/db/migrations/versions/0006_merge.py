"""join the payments, scheduling and owners branches (built in parallel from 0002)

Revision ID: 0006_merge
Revises: 0003_payments, 0004_scheduling, 0005_owners
"""

revision = "0006_merge"
down_revision = ("0003_payments", "0004_scheduling", "0005_owners")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # the branches touch different tables; joining them needs no change


def downgrade() -> None:
    pass
