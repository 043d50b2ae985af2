"""Business keys under a prefix (a campaign's posts and applications: ``2026-recruitment/...``), read as an
index range where the database can.

``LIKE 'prefix%'`` (SQLAlchemy's ``startswith``) is not an index range on SQLite, whose LIKE ignores case:
the campaign page's calendar read the whole business-key index for its campaign's instances (72,901
instances at the bench's volume, 10-190 ms by the load; a province's year of appraisal instances is ten
times that). SQLite compares text bytewise (BINARY, the columns declare no collation), so the keys that
start with the prefix are exactly those in [prefix, prefix with its last character incremented): said as
well, the range is read from ix_instances_business_key and LIKE only checks the rows found. PostgreSQL's
LIKE is no index range either unless the index is ``text_pattern_ops`` or of the "C" collation (its
calendar query was a sequential scan of the instances, 10-70 ms by the load). The range is said there too
when the database's collation orders text by code point (C, C.UTF-8, POSIX: as this project's servers are
created); under a language collation (zh_CN.UTF-8, en_US.UTF-8) text order is not the bytes' order and the
range could leave keys out, so LIKE stays alone (an index with ``text_pattern_ops`` would be the way there:
a migration, not done here).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, Session

# Collations whose order is the code points' (for UTF-8, the bytes'): a prefix's keys are a range.
_CODE_POINT_ORDER = {"c", "posix", "c.utf-8", "c.utf8", "ucs_basic"}
_ranged: dict[str, bool] = {}  # database URL -> whether its database orders text by code point


def _orders_by_code_point(session: Session) -> bool:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "sqlite":
        return True  # BINARY: the columns declare no other collation
    url = engine.url.render_as_string(hide_password=True)
    if url not in _ranged:
        # The libc collation, unless the database uses ICU (PostgreSQL 15+: datlocprovider 'i'), whose
        # orders are language ones; read as JSON so that older servers without the column answer too.
        collation, provider = session.execute(
            text(
                "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database AS d"
                " WHERE datname = current_database()"
            )
        ).one()
        _ranged[url] = provider != "i" and str(collation or "").lower() in _CODE_POINT_ORDER
    return _ranged[url]


def keys_under(
    session: Session, column: InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    """``column`` starts with ``prefix`` (not empty), as an index range where the text order allows."""
    starts = column.startswith(prefix, autoescape=True)
    if not _orders_by_code_point(session):
        return starts
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < after, starts)
