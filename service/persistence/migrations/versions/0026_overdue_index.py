"""overdue appraisal tasks counted from an index (issue 16, point 3)

Revision ID: 0026_overdue_index
Revises: 0025_audit_verify
Create Date: 2026-12-07

A partial index over open tasks, (process_id, department_code, due_at, state), from which the appraisal
dashboard counts a process's overdue tasks by department and due date without reading the task rows or
their instances (service/usecases/dashboards.py, overdue_counts; docs/design.md "Dashboards").
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0026_overdue_index'
down_revision: Union[str, Sequence[str], None] = '0025_audit_verify'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# models.ACTIVE_TASK as it is today, literal here so that the migration does not change with the model.
ACTIVE = "state IN ('open', 'claimed')"


def upgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_active_process_due', ['process_id', 'department_code', 'due_at', 'state'], unique=False, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_active_process_due', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
