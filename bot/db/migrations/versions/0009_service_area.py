"""service area: how far a mobile business goes (a radius from its technicians' bases, or postal codes)

Revision ID: 0009_service_area
Revises: 0007_no_double_booking

Both are off for existing businesses (no radius, an empty list): they keep going wherever they went.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_service_area"
down_revision = "0007_no_double_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_radius_km", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("service_zips", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.drop_column("service_zips")
        batch_op.drop_column("service_radius_km")
