"""applications with reasons indexed apart, for the campaign dashboard (issue 15, point 6)

Revision ID: 0027_issue15_dashboards
Revises: 0026_overdue_index
Create Date: 2026-12-07

A partial index on applications (campaign_id) over the rows whose reasons are not the empty list, from
which the campaign dashboard tallies the refusals by reason in SQL (service/usecases/campaign_charts.py)
instead of reading every application's reasons into Python (20,000 rows at the bench's volume, most of
them empty). An index, not a projection: the tally is still counted from the rows at every read, so it
cannot diverge from them, and the index is built from the existing rows by CREATE INDEX itself.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0027_issue15_dashboards'
down_revision: Union[str, Sequence[str], None] = '0026_overdue_index'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# models.recruitment.REASONS_GIVEN_* as they are today, literal here so that the migration does not change
# with the model. The reasons column is JSON (PostgreSQL `json`, compared as its text).
SQLITE_WHERE = "reasons <> '[]'"
POSTGRESQL_WHERE = "(reasons)::text <> '[]'"


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_campaign_reasons', ['campaign_id'], unique=False, sqlite_where=sa.text(SQLITE_WHERE), postgresql_where=sa.text(POSTGRESQL_WHERE))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_campaign_reasons', sqlite_where=sa.text(SQLITE_WHERE), postgresql_where=sa.text(POSTGRESQL_WHERE))
