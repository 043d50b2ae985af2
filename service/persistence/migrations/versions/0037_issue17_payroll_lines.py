"""placeholder, reserved for one piece of work in progress (filled in or left a no-op): the confirmed
payroll's lines per officer (issue 17); also merges the two 0036 revisions into one head

Revision ID: 0037_issue17_payroll_lines
Revises: 0036_issue17_injury_leave, 0036_issue17_paper_reports
Create Date: 2026-12-08
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0037_issue17_payroll_lines'
down_revision: Union[str, Sequence[str], None] = ('0036_issue17_injury_leave', '0036_issue17_paper_reports')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
