"""Business keys under a prefix (a campaign's posts and applications: ``2026-recruitment/...``), read as an
index range where the database can.

``LIKE 'prefix%'`` (SQLAlchemy's ``startswith``) is not an index range on SQLite, whose LIKE ignores case:
the campaign page's calendar read the whole business-key index for its campaign's instances (72,901
instances at the bench's volume, 10-190 ms by the load; a province's year of appraisal instances is ten
times that). SQLite compares text bytewise (BINARY, the columns declare no collation), so the keys that
start with the prefix are exactly those in [prefix, prefix with its last character incremented): said as
well, the range is read from ix_instances_business_key and LIKE only checks the rows found. PostgreSQL is
left to LIKE alone: under a language collation (zh_CN.UTF-8, en_US.UTF-8) its text order is not the bytes'
order, so the same range could leave keys out; there an index with ``text_pattern_ops`` would be the way
(a migration, not done here).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute, Session


def keys_under(
    session: Session, column: InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    """``column`` starts with ``prefix`` (not empty), as an index range on SQLite."""
    starts = column.startswith(prefix, autoescape=True)
    if session.get_bind().dialect.name != "sqlite":
        return starts
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < after, starts)
