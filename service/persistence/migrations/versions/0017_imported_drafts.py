"""a draft may have no published version behind it: one imported from another tool

Revision ID: 0017_imported_drafts
Revises: the newest of 0016 / 0015 / 0014 present (see below)
Create Date: 2026-12-07

Issue 14, point 6: a model imported from Camunda Modeler, Flowable or Activiti becomes a draft. When a
version of the same process is published already the draft is based on the latest one; a new process has
none, so ``drafts.base_definition_id`` becomes nullable.
"""
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017_imported_drafts'
# 0015 (sandbox) and 0016 (publish) were written at the same time as this one, each numbered in advance:
# follow the newest of them present, so the chain has one head whichever landed (file name = revision id).
down_revision: Union[str, Sequence[str], None] = sorted(
    p.stem for p in Path(__file__).parent.glob('001[456]_*.py')
)[-1]
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
