"""placeholder, reserved for one piece of work in progress (filled in or left a no-op)

Revision ID: 0027_issue15_dashboards
Revises: 0026_overdue_index
Create Date: 2026-12-07
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0027_issue15_dashboards'
down_revision: Union[str, Sequence[str], None] = '0026_overdue_index'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
