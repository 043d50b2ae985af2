"""notifications inside the app (issue 15, point 5)

Revision ID: 0019_notifications
Revises: 0018_attachments
Create Date: 2026-12-07

One row per notification and audience (a department, its heads, or one person), read state per user: a
watermark moved by "mark all read" and the ones read one by one above it (docs/design.md, "Notifications").
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0019_notifications'
down_revision: Union[str, Sequence[str], None] = '0018_attachments'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('department_code', sa.String(length=64), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('head_only', sa.Boolean(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.String(length=128), nullable=False),
        sa.Column('task_name_zh', sa.String(length=256), nullable=False),
        sa.Column('task_name_en', sa.String(length=256), nullable=False),
        sa.Column('subject', sa.String(length=256), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'task_id', name='uq_notifications_kind_task'),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_department', ['department_code', 'id'], unique=False)
        batch_op.create_index('ix_notifications_username', ['username', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_instance_id'), ['instance_id'], unique=False)
    op.create_table(
        'notification_reads',
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('notification_id', 'username'),
    )
    op.create_table(
        'notification_marks',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('read_through', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('username'),
    )


def downgrade() -> None:
    op.drop_table('notification_marks')
    op.drop_table('notification_reads')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_instance_id'))
        batch_op.drop_index('ix_notifications_username')
        batch_op.drop_index('ix_notifications_department')
    op.drop_table('notifications')
