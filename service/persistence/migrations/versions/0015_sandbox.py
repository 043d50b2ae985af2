"""sandbox runs of drafts and the scenarios saved from them

Revision ID: 0015_sandbox
Revises: 0014_drafts
Create Date: 2026-12-07

Issue 14, point 3: a designer tries a draft on sample data in its own throwaway state (never the live
instances, queue or timer tables) and saves a run as a scenario, replayed on every check of the process's
drafts.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0015_sandbox'
down_revision: Union[str, Sequence[str], None] = '0014_drafts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('sandbox_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('bundle_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('state', sa.LargeBinary(), nullable=False),
    sa.Column('start_data', sa.JSON(), nullable=False),
    sa.Column('operator_results', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('started_clock', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clock_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sandbox_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_runs_draft_id'), ['draft_id'], unique=False)

    op.create_table('draft_scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('start_data', sa.JSON(), nullable=False),
    sa.Column('operator_results', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('expected_steps', sa.JSON(), nullable=False),
    sa.Column('end_data', sa.JSON(), nullable=False),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('started_clock', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'name', name='uq_draft_scenarios_process_name')
    )
    with op.batch_alter_table('draft_scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_scenarios_process_id'), ['process_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('draft_scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_scenarios_process_id'))
    op.drop_table('draft_scenarios')
    with op.batch_alter_table('sandbox_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_runs_draft_id'))
    op.drop_table('sandbox_runs')
