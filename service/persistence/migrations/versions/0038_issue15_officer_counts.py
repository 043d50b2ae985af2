"""an index of the officers by status, town and day of leaving (issue 15: the officers' dashboard)

Revision ID: 0038_issue15_officer_counts
Revises: 0037_issue17_payroll_lines
Create Date: 2026-12-08

``ix_officers_status_town (status, town, left_on)``: the officers' dashboard counts those in service by town,
those without an undertaking among them, and the leavers by status and month of leaving; without an index
on the status each count read every officer (72,500 at the bench's volume: 94 ms a dashboard on SQLite,
15 ms with it; docs/benchmarks.md, "The officers' dashboard"). The roster's filters by status read it too.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0038_issue15_officer_counts'
down_revision: Union[str, Sequence[str], None] = '0037_issue17_payroll_lines'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_officers_status_town', 'officers', ['status', 'town', 'left_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_officers_status_town', table_name='officers')
