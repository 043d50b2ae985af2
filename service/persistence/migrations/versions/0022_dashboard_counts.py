"""dashboard counts per month and town (issue 15, point 6)

Revision ID: 0022_dashboard_counts
Revises: 0021_audit_search
Create Date: 2026-12-07

The appraisal dashboard read every start and confirmed record of its twelve months (about 870,000 of
each for a province) to count them by month and town. ``appraisal_counts`` keeps those counts, added to
by the transactions that start a month, record a veto decision and confirm a grade. Filled here from the
rows already stored: the starts (by their officer's town), the confirmed records (by grade, and their
vetoes), and the vetoes decided whose grade awaits confirmation (from the audit trail).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from service.persistence.appraisal_counts import rebuild


# revision identifiers, used by Alembic.
revision: str = '0022_dashboard_counts'
down_revision: Union[str, Sequence[str], None] = '0021_audit_search'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COUNTS = (
    'started', 'appraised', 'excellent', 'competent', 'basically_competent', 'incompetent', 'vetoes',
    'vetoes_confirmed',
)


def upgrade() -> None:
    op.create_table(
        'appraisal_counts',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('town', sa.String(length=32), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.PrimaryKeyConstraint('month', 'town'),
    )
    # One INSERT ... SELECT over the stored rows (service/persistence/appraisal_counts.py, which the
    # benchmark and the tests that insert history directly run too).
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('appraisal_counts')
