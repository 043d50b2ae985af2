"""placeholder, reserved for one piece of work in progress (filled in or left a no-op)

Revision ID: 0033_issue17_training
Revises: 0032_issue17_injury_death
Create Date: 2026-12-07
"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0033_issue17_training'
down_revision: Union[str, Sequence[str], None] = '0032_issue17_injury_death'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
