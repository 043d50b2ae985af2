"""incremental audit verification (issue 16, point 3)

Revision ID: 0025_audit_verify
Revises: 0024_retention
Create Date: 2026-12-07

The points up to which `auxpolice audit verify` found the chain intact (audit_verifications), so that
`audit verify --incremental` re-computes only the events recorded since. And the audit table's
single-column index on actor goes: ix_audit_events_actor_at (actor, at, id), from 0021, begins with the
same column and serves every search by actor, so it only cost ~18 bytes an event (docs/benchmarks.md).
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
    op.create_table(
        'audit_verifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('checked', sa.Integer(), nullable=False),
        sa.Column('full', sa.Boolean(), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verified_by', sa.String(length=64), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.drop_index('ix_audit_events_actor', table_name='audit_events')


def downgrade() -> None:
    op.create_index('ix_audit_events_actor', 'audit_events', ['actor'], unique=False)
    op.drop_table('audit_verifications')
