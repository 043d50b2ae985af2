"""a draft may have no published version behind it: one imported from another tool

Revision ID: 0017_imported_drafts
Revises: 0015_sandbox
Create Date: 2026-12-07

Issue 14, point 6: a model imported from Camunda Modeler, Flowable or Activiti becomes a draft. When a
version of the same process is published already the draft is based on the latest one; a new process has
none, so ``drafts.base_definition_id`` becomes nullable.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017_imported_drafts'
# 0016 was reserved for publishing drafts, which needed no migration.
down_revision: Union[str, Sequence[str], None] = '0015_sandbox'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.alter_column('base_definition_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # A draft with no base cannot be kept under the old rule: imported drafts are removed.
    op.execute('DELETE FROM drafts WHERE base_definition_id IS NULL')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.alter_column('base_definition_id', existing_type=sa.Integer(), nullable=False)
