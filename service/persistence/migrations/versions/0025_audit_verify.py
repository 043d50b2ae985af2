"""incremental audit verification (issue 16, point 3)

Revision ID: 0025_audit_verify
Revises: 0024_retention
Create Date: 2026-12-07

Placeholder in the chain; filled in by the work it names.
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0025_audit_verify'
down_revision: Union[str, Sequence[str], None] = '0024_retention'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
