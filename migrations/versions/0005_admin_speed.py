"""admin console speed: a partial index on open requests by deadline; request ids by county; requests by village and date

`ix_requests_open_due` (county_id, due_at, id) WHERE status IN (the open statuses) serves the
inbox's overdue filter, `status=open` sorted by deadline, and the dashboard's open/overdue
counts. `ix_requests_county_ids` (county_id, id) lets PostgreSQL check a search hit against a
county admin's scope from the index alone (a nested loop of index-only probes instead of a
scan of the table). `ix_requests_village_created` (village_id, created_at, id) serves a
village's search hits the same way, and a village's requests by date.
Both backends support partial indexes. See docs/benchmarks.md (admin).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN_PREDICATE = "status IN ('new', 'needs_review', 'assigned', 'accepted', 'reopened')"


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index('ix_requests_open_due', ['county_id', 'due_at', 'id'], unique=False,
                              postgresql_where=sa.text(OPEN_PREDICATE), sqlite_where=sa.text(OPEN_PREDICATE))
        batch_op.create_index('ix_requests_county_ids', ['county_id', 'id'], unique=False)
        batch_op.create_index('ix_requests_village_created', ['village_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_village_created')
        batch_op.drop_index('ix_requests_county_ids')
        batch_op.drop_index('ix_requests_open_due')
