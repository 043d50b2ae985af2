"""dismissal_cases: the sub-bureau's dismissal cases and how they ended (issue 17, point 1)

One row per ``dismissal`` instance (bpmn/dismissal/), opened when it starts and recorded when it ends;
the officer's page lists them and the campaign's screening refuses an applicant whose earlier dismissal
bars re-hiring (``rehire_barred``).

Revision ID: 0030_issue17_dismissal
Revises: 0029_issue16_reports
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0030_issue17_dismissal'
down_revision: Union[str, Sequence[str], None] = '0029_issue16_reports'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('dismissal_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('disqualifier', sa.String(length=32), nullable=True),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('grounds', sa.Text(), nullable=True),
    sa.Column('rehire_barred', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('dismissal_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dismissal_cases_officer_id'), ['officer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dismissal_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dismissal_cases_officer_id'))
    op.drop_table('dismissal_cases')
