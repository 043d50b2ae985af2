"""placeholder, reserved for one piece of work in progress (filled in or left a no-op)

Revision ID: 0031_issue17_contracts
Revises: 0030_issue17_dismissal
Create Date: 2026-12-07
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0031_issue17_contracts'
down_revision: Union[str, Sequence[str], None] = '0030_issue17_dismissal'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
