"""The declarative base and the column types every model uses: datetimes kept in UTC, compressed JSON."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    DateTime,
    LargeBinary,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Store every datetime as UTC, read it back as aware UTC, on SQLite and PostgreSQL alike.

    SQLite keeps no zone: a China-time value (+08:00) written as it is came back eight hours late, labelled
    UTC. So aware values are converted to UTC on the way in (a naive one is taken as UTC already), and the
    zone is put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None and value.utcoffset():
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def encode_state(value: dict[str, Any]) -> bytes:
    """Encode a JSON document the way CompressedJSON stores it."""
    return zlib.compress(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str), 1)


class CompressedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON document stored zlib-compressed: instance states shrink about six-fold, and so does the I/O
    of every save (measured in docs/benchmarks.md)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | bytes | None, dialect: Any) -> bytes | None:
        if value is None or isinstance(value, bytes):
            return value  # bytes: already encoded by encode_state (batch starts keep no large dicts alive)
        return encode_state(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> dict[str, Any] | None:
        return None if value is None else orjson.loads(zlib.decompress(value))


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}
