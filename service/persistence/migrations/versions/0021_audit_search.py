"""audit search for people (issue 15, point 7)

Revision ID: 0021_audit_search
Revises: 0020_inbox
Create Date: 2026-12-07

Indexes for the auditors' search newest first within an action, an actor or a department.
"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0021_audit_search'
down_revision: Union[str, Sequence[str], None] = '0020_inbox'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


INDEXES = (
    ("ix_audit_events_action_at", ["action", "at", "id"]),
    ("ix_audit_events_actor_at", ["actor", "at", "id"]),
    ("ix_audit_events_department_at", ["department_code", "at", "id"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "audit_events", columns, unique=False)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="audit_events")
