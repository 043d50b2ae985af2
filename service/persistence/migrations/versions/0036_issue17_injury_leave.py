"""placeholder, reserved for one piece of work in progress (filled in or left a no-op): injury leave

Revision ID: 0036_issue17_injury_leave
Revises: 0035_issue17_payroll
Create Date: 2026-12-08
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0036_issue17_injury_leave'
down_revision: Union[str, Sequence[str], None] = '0035_issue17_payroll'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
