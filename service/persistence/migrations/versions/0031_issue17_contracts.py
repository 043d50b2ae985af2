"""officer_contracts: the labour contracts an officer held before each renewal (issue 17, point 3)

The current contract stays on ``officers``; ``record_renewal`` copies it here before writing the renewed
one, so the officer's page and API list the contract history.

Revision ID: 0031_issue17_contracts
Revises: 0030_issue17_dismissal
Create Date: 2026-12-07
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0031_issue17_contracts'
down_revision: Union[str, Sequence[str], None] = '0030_issue17_dismissal'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('officer_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('contract_number', sa.String(length=64), nullable=False),
    sa.Column('contract_start', sa.Date(), nullable=False),
    sa.Column('contract_end', sa.Date(), nullable=False),
    sa.Column('renewal_instance_id', sa.Integer(), nullable=True),
    sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('renewed_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.ForeignKeyConstraint(['renewal_instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('officer_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_contracts_officer_id'), ['officer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('officer_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_contracts_officer_id'))
    op.drop_table('officer_contracts')
