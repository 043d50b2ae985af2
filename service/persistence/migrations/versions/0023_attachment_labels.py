"""attachment labels and replacement (issue 15, point 4)

Revision ID: 0023_attachment_labels
Revises: 0022_dashboard_counts
Create Date: 2026-12-07

Placeholder in the chain; filled in by the work it names.
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0023_attachment_labels'
down_revision: Union[str, Sequence[str], None] = '0022_dashboard_counts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
