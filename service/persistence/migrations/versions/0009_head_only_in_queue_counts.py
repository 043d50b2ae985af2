"""head_only in the queue counts' covering index

Revision ID: 0009_head_only_counts
Revises: 0008_web_sessions
Create Date: 2026-12-07

Plain staff no longer count head-only tasks (issue 11, part 6), so the overview reads ``head_only`` too;
with it in the partial index the counts still come from the index alone.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_head_only_counts'
down_revision: Union[str, Sequence[str], None] = '0008_web_sessions'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = "state IN ('open', 'claimed')"


def upgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_active_counts', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.create_index('ix_human_tasks_active_counts', ['department_code', 'state', 'due_at', 'claimed_by', 'head_only'], unique=False, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_active_counts', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.create_index('ix_human_tasks_active_counts', ['department_code', 'state', 'due_at', 'claimed_by'], unique=False, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
