"""auditor searches over a year of history (issue 16, point 3)

Revision ID: 0028_issue16_audit_search
Revises: 0027_issue15_dashboards
Create Date: 2026-12-07

- ``(at)`` becomes ``(at, id, seq)``: newest first within a range of days reads the index backwards and
  stops after a page, and the chain-order page of a range sorts the index entries alone (the page's rows
  are then read by id), so a day's search no longer reads every event of the day
  (service/usecases/audit_trail.py, docs/benchmarks.md "Auditor searches ... after the fixes").
- PostgreSQL only: a trigram GIN index (``pg_trgm``) on ``CAST(payload AS TEXT)``, the exact expression of
  the free-text filter (service/usecases/audit_search.py ``by_text``), so ``ILIKE '%text%'`` reads the
  events whose data holds the text's trigrams instead of the whole table. The extension is created in
  the ``public`` schema when it is not installed yet (one per database; a schema dropped later must not
  take it and every other schema's index with it). Where the extension cannot be had (not installed on
  the server, or the role may not create it) the index is left out with a warning: the search still
  works, by a scan. SQLite has no such index (docs/design.md says what free text costs there).
"""
import logging
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0028_issue16_audit_search'
down_revision: Union[str, Sequence[str], None] = '0027_issue15_dashboards'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TRIGRAM_INDEX = "ix_audit_events_payload_trgm"
# Taken while the extension is looked up and created: migrations of several schemas of one database
# (the tests' parallel workers) would otherwise race on CREATE EXTENSION.
_EXTENSION_LOCK = 7_311_000_016


def upgrade() -> None:
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.create_index("ix_audit_events_at_id", "audit_events", ["at", "id", "seq"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    if schema is None:
        logging.getLogger("alembic").warning(
            "pg_trgm is not available: the audit search's free text reads the whole audit_events table"
        )
        return
    opclass = f"{bind.dialect.identifier_preparer.quote(schema)}.gin_trgm_ops"
    op.execute(
        f"CREATE INDEX {TRIGRAM_INDEX} ON audit_events USING gin ((CAST(payload AS TEXT)) {opclass})"
    )


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm is installed in, installing it in ``public`` when it is not (None: impossible)."""
    bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EXTENSION_LOCK})
    installed = sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    schema = bind.execute(installed).scalar()
    if schema is not None:
        return str(schema).strip('"')
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    has_public = bind.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first()
    if available is None:
        return None
    try:
        with bind.begin_nested():  # a refusal (no CREATE privilege) must not abort the migration
            bind.execute(sa.text("CREATE EXTENSION pg_trgm" + (" SCHEMA public" if has_public else "")))
    except sa.exc.DBAPIError:
        return None
    return str(bind.execute(installed).scalar()).strip('"')


def downgrade() -> None:
    # The extension stays: other schemas of the database may use it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.drop_index("ix_audit_events_at_id", table_name="audit_events")
    op.create_index("ix_audit_events_at", "audit_events", ["at"], unique=False)
