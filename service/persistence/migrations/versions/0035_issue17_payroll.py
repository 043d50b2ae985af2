"""placeholder, reserved for one piece of work in progress (filled in or left a no-op)

Revision ID: 0035_issue17_payroll
Revises: 0034_issue17_field_reports
Create Date: 2026-12-07
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0035_issue17_payroll'
down_revision: Union[str, Sequence[str], None] = '0034_issue17_field_reports'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
