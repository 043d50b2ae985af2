"""placeholder, reserved for one piece of work in progress (filled in or left a no-op)

Revision ID: 0028_issue16_audit_search
Revises: 0027_issue15_dashboards
Create Date: 2026-12-07
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0028_issue16_audit_search'
down_revision: Union[str, Sequence[str], None] = '0027_issue15_dashboards'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
