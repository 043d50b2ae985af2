"""the public notice length of each campaign

Revision ID: 0013_campaign_notice_days
Revises: 0012_application_documents
Create Date: 2026-12-07

Issue 13, point 2: the announcement states how many days the list of people to be hired is shown
(公示天数, 7 by default, the policy's practice); it was one setting for every campaign. Campaigns already
stored keep the 7 days they were run with.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013_campaign_notice_days'
down_revision: Union[str, Sequence[str], None] = '0012_application_documents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), nullable=False, server_default='7'))


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('notice_days')
