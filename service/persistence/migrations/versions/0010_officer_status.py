"""officer status dates and contract renewal claims

Revision ID: 0010_officer_status
Revises: 0009_head_only_counts
Create Date: 2026-12-07

Issue 13, point 5: an officer's status has the day it took effect, and one who left the day and the reason;
a contract's renewal process is claimed once per (officer, contract end). Officers already stored are in
service since their contract started.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010_officer_status'
down_revision: Union[str, Sequence[str], None] = '0009_head_only_counts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('leave_reason', sa.Text(), nullable=True))
    op.execute("UPDATE officers SET status_since = contract_start")
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.alter_column('status_since', existing_type=sa.Date(), nullable=False)

    op.create_table('contract_renewal_starts',
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('contract_end', sa.Date(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('officer_id', 'contract_end')
    )


def downgrade() -> None:
    op.drop_table('contract_renewal_starts')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('leave_reason')
        batch_op.drop_column('left_on')
        batch_op.drop_column('status_since')
