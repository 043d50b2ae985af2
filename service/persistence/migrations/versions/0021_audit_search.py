"""audit search for people (issue 15, point 7)

Revision ID: 0021_audit_search
Revises: 0020_inbox
Create Date: 2026-12-07

Reserved in the chain so the parts of issue 15 built side by side migrate in one order; filled in by the
part that needs it (a no-op until then).
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0021_audit_search'
down_revision: Union[str, Sequence[str], None] = '0020_inbox'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
