"""schedule stamp: a token on the business that changes whenever what its schedule is made of changes

Revision ID: 0011_schedule_stamp
Revises: 0007_no_double_booking

Technicians, services, weekly hours, dated hours and time off change rarely and are read on every
offer; processes cache them under this stamp (bot/db/roster_cache.py), and a flush listener gives the
business a new stamp whenever one of those rows is added, changed or deleted (bot/db/schedule_stamp.py).
Existing businesses get a random stamp here, so no cache can mistake them for another database's.
"""
from uuid import uuid4

from alembic import op
import sqlalchemy as sa


revision = "0011_schedule_stamp"
down_revision = "0007_no_double_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_stamp", sa.String(length=32), nullable=False, server_default=""))
    business = sa.table("business", sa.column("id", sa.Integer), sa.column("schedule_stamp", sa.String))
    bind = op.get_bind()
    for (business_id,) in bind.execute(sa.select(business.c.id)).all():
        bind.execute(business.update().where(business.c.id == business_id).values(schedule_stamp=uuid4().hex))


def downgrade() -> None:
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.drop_column("schedule_stamp")
