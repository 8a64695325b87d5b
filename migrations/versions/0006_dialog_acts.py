"""the villager's dialog acts: what each message was taken as, chases counted, the villager's language

`inbound_messages.act`: the act the dialog decided for the message (new, several, supplement,
chase, answer, thanks, vague, query, …; docs/dialog.md), for the dialog corpus and the
per-act figures. `requests.chase_count` / `last_chased_at`: 催办 on the request (the team is
told at most once in a few hours). `villagers.language`: 'zh' or 'bo' (Tibetan), chosen from
the first Tibetan message and switchable.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:30:00
"""
from alembic import op
import sqlalchemy as sa

import bot.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('act', sa.String(length=16), nullable=True))
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chase_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_chased_at', bot.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('villagers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='zh'))


def downgrade() -> None:
    with op.batch_alter_table('villagers', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('last_chased_at')
        batch_op.drop_column('chase_count')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('act')
