"""injury_leaves: the officer's injury leave (停工留薪期) of each reported work injury (issue 17, point 4)

Opened when the station reports the injury, ended by the return to work, by leaving the post (disability
grades 1-4) or by a recognition that refuses the injury; the roster's status and the appraisal's month start
read it. The status ``left_post_injury`` needs no change: the status column is text of 16 characters.

Revision ID: 0036_issue17_injury_leave
Revises: 0035_issue17_payroll
Create Date: 2026-12-08
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0036_issue17_injury_leave'
down_revision: Union[str, Sequence[str], None] = '0035_issue17_payroll'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('injury_leaves',
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('leave_from', sa.Date(), nullable=False),
    sa.Column('leave_limit', sa.Date(), nullable=False),
    sa.Column('max_months', sa.Integer(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('instance_id')
    )
    with op.batch_alter_table('injury_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_injury_leaves_officer_id'), ['officer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('injury_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_injury_leaves_officer_id'))
    op.drop_table('injury_leaves')
