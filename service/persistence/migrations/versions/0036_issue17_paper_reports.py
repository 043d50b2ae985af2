"""placeholder, reserved for the field reports entered on an officer's behalf (issue 17, point 7)

Revision ID: 0036_issue17_paper_reports
Revises: 0035_issue17_payroll
Create Date: 2026-12-08
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0036_issue17_paper_reports'
down_revision: Union[str, Sequence[str], None] = '0035_issue17_payroll'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
