"""retention of finished instances (issue 16, point 4)

Revision ID: 0024_retention
Revises: 0023_attachment_labels
Create Date: 2026-12-07

A finished instance older than the retention age keeps its audit history and task rows but drops its
engine state (``auxpolice retention archive``): ``instances.archived_at`` says when, and a partial index
over the finished instances not yet archived lets the command find the next batch by end date without
reading the archived ones again. ``status`` leads the index although its WHERE fixes it: SQLite plans
without statistics and, offered ``ix_instances_status`` (an equality) against a range alone, took the
status index and sorted every finished instance; with the equality here too it takes this one. The path taken and the final data live on in the audit log
(``instance_archived`` and ``instance_completed`` events), so there is no archive table to keep.

Downgrade drops the column and the index; the engine states dropped meanwhile are not brought back (an
archived instance reads as a finished one with no engine state).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0024_retention'
down_revision: Union[str, Sequence[str], None] = '0023_attachment_labels'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOT_ARCHIVED = "status = 'completed' AND archived_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_instances_to_archive', ['status', 'completed_at', 'id'], unique=False, sqlite_where=sa.text(NOT_ARCHIVED), postgresql_where=sa.text(NOT_ARCHIVED))


def downgrade() -> None:
    op.drop_index('ix_instances_to_archive', table_name='instances')
    if op.get_bind().dialect.name == 'sqlite':
        # Not batch mode: it copies and drops `instances`, which the rows of the tables referring to it
        # forbid once there is data (FOREIGN KEY constraint failed); SQLite >= 3.35 drops a column itself.
        op.execute('ALTER TABLE instances DROP COLUMN archived_at')
    else:
        op.drop_column('instances', 'archived_at')
