"""officers' monthly field reports (issue 17, point 7)

Revision ID: 0034_issue17_field_reports
Revises: 0033_issue17_training
Create Date: 2026-12-07

The table ``field_reports``: an officer's report of one month's work (the duties counted, free-text
highlights), its state at the station (submitted, returned for correction, confirmed), when it was due and
whether it came late. Kept by the field_report process's operators (service/usecases/field_reports.py); read
by the station's appraisal form as grounds and by the officer's page. The officer's user account was linked
to the officer already (users.officer_id, an earlier migration), so nothing else changes.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = '0034_issue17_field_reports'
down_revision: Union[str, Sequence[str], None] = '0033_issue17_training'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'field_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('town', sa.String(length=32), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('highlights', sa.Text(), nullable=True),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_by', sa.String(length=64), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('returns', sa.Integer(), nullable=False),
        sa.Column('return_reason', sa.Text(), nullable=True),
        sa.Column('confirmed_by', sa.String(length=64), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('station_remarks', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('officer_id', 'month'),
    )
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.create_index('ix_field_reports_officer_id', ['officer_id'], unique=False)
        batch_op.create_index('ix_field_reports_month', ['month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_field_reports_month')
        batch_op.drop_index('ix_field_reports_officer_id')
    op.drop_table('field_reports')
