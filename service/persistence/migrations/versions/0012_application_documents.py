"""one age reference date per campaign; the applicant's identity document type; one application per
document per campaign

Revision ID: 0012_application_documents
Revises: 0011_register_history
Create Date: 2026-12-07

Applications so far were all made with a resident ID card, hence the server default. The unique index is
what stops two registrations of the same document at the same moment (the check before it reads committed
rows only); a database that already holds such duplicates is refused here, naming them, because which of
the two applications stands is for the bureau to decide, not for a migration.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012_application_documents'
down_revision: Union[str, Sequence[str], None] = '0011_register_history'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    duplicates = op.get_bind().execute(
        sa.text(
            "SELECT campaign_id, id_number, COUNT(*) FROM applications "
            "GROUP BY campaign_id, id_number HAVING COUNT(*) > 1"
        )
    ).all()
    if duplicates:
        listed = "; ".join(f"campaign {c}: {n[:6]}********{n[-4:]} ({k} applications)" for c, n, k in duplicates)
        raise RuntimeError(
            "同一批次中同一身份证号有多条报名，请先处理后再升级 / "
            f"the same ID number applied more than once in a campaign; resolve these first: {listed}"
        )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_reference_date', sa.Date(), nullable=True))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('id_type', sa.String(length=16), server_default='resident_id', nullable=False)
        )
        batch_op.create_unique_constraint(
            'uq_applications_campaign_document', ['campaign_id', 'id_type', 'id_number']
        )


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applications_campaign_document', type_='unique')
        batch_op.drop_column('id_type')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('age_reference_date')
