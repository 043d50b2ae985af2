"""the confirmed payroll's lines per officer (issue 17, point 8); merges the two 0036 revisions

Revision ID: 0037_issue17_payroll_lines
Revises: 0036_issue17_injury_leave, 0036_issue17_paper_reports
Create Date: 2026-12-08

The table ``payroll_lines``: what each officer was paid in a month whose payroll Finance confirmed (wage, the
five insurances and the housing fund, awards, total), written by the payroll's ``record_payroll`` operator
and read by the officer's page and ``GET /api/v1/officers/<id>/pay``. One line per officer and month (the
unique key also serves an officer's months). Payrolls confirmed before this revision have no lines (their
rows stay in the instance's data and the audit trail).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0037_issue17_payroll_lines'
down_revision: Union[str, Sequence[str], None] = ('0036_issue17_injury_leave', '0036_issue17_paper_reports')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(precision=12, scale=2, asdecimal=False)


def upgrade() -> None:
    op.create_table(
        'payroll_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('wage', MONEY, nullable=False),
        sa.Column('pension', MONEY, nullable=False),
        sa.Column('medical', MONEY, nullable=False),
        sa.Column('unemployment', MONEY, nullable=False),
        sa.Column('work_injury', MONEY, nullable=False),
        sa.Column('maternity', MONEY, nullable=False),
        sa.Column('housing_fund', MONEY, nullable=False),
        sa.Column('awards', MONEY, nullable=False),
        sa.Column('total', MONEY, nullable=False),
        sa.Column('confirmed_on', sa.Date(), nullable=False),
        sa.Column('confirmed_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id']),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('officer_id', 'month', name='uq_payroll_lines_officer_month'),
    )
    with op.batch_alter_table('payroll_lines', schema=None) as batch_op:
        batch_op.create_index('ix_payroll_lines_instance_id', ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payroll_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_payroll_lines_instance_id')
    op.drop_table('payroll_lines')
