"""the inbox's saved filters and indexes (issue 15, point 1)

Revision ID: 0020_inbox
Revises: 0019_notifications
Create Date: 2026-12-07

One inbox across a person's departments: each queue row learns where its case is (``village_code``,
``town``, from the instance's data; rows written before are filled from the officer or application their
instance is about), two partial indexes over the open tasks serve the inbox's first page by due date and
the tasks a person holds (and the navigation's counts), an index on who completed which step finds
the tasks returned to a person (a later pass of a step they completed), and ``inbox_filters`` keeps each user's saved
filters (a name and the inbox's query string).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0020_inbox'
down_revision: Union[str, Sequence[str], None] = '0019_notifications'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = "state IN ('open', 'claimed')"

# Rows written before this migration: the village of the officer, else of the application, the instance
# is about (instance_subjects); the town is the village's.
BACKFILL_VILLAGE = """
UPDATE human_tasks SET village_code = COALESCE(
    (SELECT o.village_code FROM instance_subjects s JOIN officers o ON o.id = s.ref
     WHERE s.instance_id = human_tasks.instance_id AND s.kind = 'officer' ORDER BY s.ref LIMIT 1),
    (SELECT a.village_code FROM instance_subjects s JOIN applications a ON a.id = s.ref
     WHERE s.instance_id = human_tasks.instance_id AND s.kind = 'application' ORDER BY s.ref LIMIT 1)
)
"""
BACKFILL_TOWN = """
UPDATE human_tasks SET town = (SELECT v.town FROM villages v WHERE v.code = human_tasks.village_code)
WHERE village_code IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        'inbox_filters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('query', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'name', name='uq_inbox_filters_username_name'),
    )
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('town', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_human_tasks_active_due', ['department_code', 'due_at', 'id'], unique=False, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.create_index('ix_human_tasks_active_claimed', ['claimed_by', 'due_at'], unique=False, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.create_index('ix_human_tasks_completed_by', ['completed_by', 'instance_id', 'spec_name'], unique=False)
    op.execute(BACKFILL_VILLAGE)
    op.execute(BACKFILL_TOWN)


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_completed_by')
        batch_op.drop_index('ix_human_tasks_active_claimed', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.drop_index('ix_human_tasks_active_due', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.drop_column('town')
        batch_op.drop_column('village_code')
    op.drop_table('inbox_filters')
