"""attachment labels, removal and replacement (issue 15, point 4)

Revision ID: 0023_attachment_labels
Revises: 0022_dashboard_counts
Create Date: 2026-12-07

A label per file (政审材料, 签字合同扫描件); a removed or replaced file keeps its row (and its blob, by
sha256) for the audit trail: who removed it and when, and the upload that replaced it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0023_attachment_labels'
down_revision: Union[str, Sequence[str], None] = '0022_dashboard_counts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('replaced_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_attachments_replaced_by', 'attachments', ['replaced_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachments_replaced_by', type_='foreignkey')
        batch_op.drop_column('replaced_by')
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('label')
