"""web sessions kept on the server, login failures by source, tokens of inactive users revoked

Revision ID: 0008_web_sessions
Revises: 0007
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008_web_sessions'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('web_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id_hash')
    )
    op.create_index(op.f('ix_web_sessions_created_at'), 'web_sessions', ['created_at'], unique=False)
    op.create_index(op.f('ix_web_sessions_last_seen_at'), 'web_sessions', ['last_seen_at'], unique=False)
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_index(op.f('ix_login_failures_remote_addr'), 'login_failures', ['remote_addr'], unique=False)
    # Before this release reactivating a user revived their old tokens; a deactivated user's tokens are
    # now revoked when they are deactivated, so revoke those of users inactive today to match.
    op.execute(
        sa.text(
            "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL "
            "AND user_id IN (SELECT id FROM users WHERE is_active = :inactive)"
        ).bindparams(inactive=False)
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_login_failures_remote_addr'), table_name='login_failures')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_index(op.f('ix_web_sessions_last_seen_at'), table_name='web_sessions')
    op.drop_index(op.f('ix_web_sessions_created_at'), table_name='web_sessions')
    op.drop_table('web_sessions')
