"""field reports entered on an officer's behalf from the signed paper sheet (issue 17, point 7)

Revision ID: 0036_issue17_paper_reports
Revises: 0035_issue17_payroll
Create Date: 2026-12-08

An officer without an account reports on paper; the station's clerk takes the report task from the
officer's own queue and enters it. ``human_tasks.on_behalf_of``: the own queue (``officer:<id>``) a task was
taken from (the completion then requires the signed paper as an attachment); ``field_reports.entered_by``:
the clerk who entered the month's report (None when the officer reported in person). Both nullable, no
backfill: every earlier task and report was the officer's own.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0036_issue17_paper_reports'
down_revision: Union[str, Sequence[str], None] = '0035_issue17_payroll'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of', sa.String(length=64), nullable=True))
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.drop_column('entered_by')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_column('on_behalf_of')
