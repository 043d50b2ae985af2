"""dashboard counts per month and town (issue 15, point 6)

Revision ID: 0022_dashboard_counts
Revises: 0021_audit_search
Create Date: 2026-12-07

Placeholder in the chain; filled in by the work it names.
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0022_dashboard_counts'
down_revision: Union[str, Sequence[str], None] = '0021_audit_search'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
