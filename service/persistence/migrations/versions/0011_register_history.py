"""the register's towns, and each village's history with effective dates

Revision ID: 0011_register_history
Revises: 0010_officer_status
Create Date: 2026-12-07

Issue 13, point 6: towns become rows an administrator edits (they were read from service/data/villages.json
only), and a village's register entry keeps its versions with the dates they were in force. Villages
already stored get one version in force since the register's start (2000-01-01); towns they name get
their names from the shipped register (the code itself where it has none).
"""
import json
from datetime import date
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011_register_history'
down_revision: Union[str, Sequence[str], None] = '0010_officer_status'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SHIPPED_REGISTER = Path(__file__).resolve().parents[3] / "data" / "villages.json"


def upgrade() -> None:
    op.create_table('towns',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('village_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('town', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('many_small_venues', sa.Boolean(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_code'], ['villages.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('village_code', 'effective_from', name='uq_village_versions_from')
    )
    op.create_index(op.f('ix_village_versions_village_code'), 'village_versions', ['village_code'], unique=False)

    connection = op.get_bind()
    shipped = {}
    if SHIPPED_REGISTER.exists():
        towns = json.loads(SHIPPED_REGISTER.read_text(encoding="utf-8")).get("towns", [])
        shipped = {town["code"]: town for town in towns}
    for (code,) in connection.execute(sa.text("SELECT DISTINCT town FROM villages ORDER BY town")):
        town = shipped.get(code, {"name_zh": code, "name_en": code})
        connection.execute(
            sa.text("INSERT INTO towns (code, name_zh, name_en) VALUES (:code, :zh, :en)"),
            {"code": code, "zh": town["name_zh"], "en": town["name_en"]},
        )
    connection.execute(
        sa.text(
            "INSERT INTO village_versions (village_code, name_zh, name_en, town, kind, households, "
            "many_small_venues, effective_from, effective_to, reason, recorded_by, recorded_at) "
            "SELECT code, name_zh, name_en, town, kind, households, many_small_venues, :start, NULL, '', "
            "'system', CURRENT_TIMESTAMP FROM villages"
        ).bindparams(sa.bindparam("start", type_=sa.Date())),
        {"start": date(2000, 1, 1)},
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_village_versions_village_code'), table_name='village_versions')
    op.drop_table('village_versions')
    op.drop_table('towns')
