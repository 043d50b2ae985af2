"""The edge's value types, shared by the API schemas and the web pages' argument parsing.

Every id, page number, month and piece of text a request carries is checked here before it reaches a
query: PostgreSQL refuses an id beyond its INTEGER column (2**31 - 1), an offset beyond 64 bits, a NUL
character in text and text longer than its VARCHAR column, and each of those used to answer 500.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate
from werkzeug.routing import IntegerConverter

from service.usecases.appraisal import FIRST_MONTH, LAST_MONTH
from service.usecases.appraisal import MONTH_PATTERN as _MONTH

# The database's id columns are INTEGER: 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1
# A page far past any listing is still answered (empty); past this the offset would overflow.
MAX_PAGE = 1_000_000


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("不能包含空字符（NUL）")


class Text(fields.String):
    """Text of at most ``max_length`` characters (its column's size), never with a NUL character."""

    def __init__(self, max_length: int, *, min_length: int | None = None, **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        if callable(validators):  # pragma: no cover - a single validator
            validators = [validators]
        validators = [no_nul, validate.Length(min=min_length, max=max_length), *validators]
        super().__init__(validate=validators, **kwargs)


class Id(fields.Integer):
    """A database id: 1 to 2**31 - 1."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=False, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def id_or_none(text: str | None) -> int | None:
    """A web form's or query's id: the number, or None when it is not one a record can have."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def page_or_first(text: str | None) -> int:
    """A web page's ``page`` argument: 1 when missing or not a number, at most MAX_PAGE."""
    if not text or not text.isascii() or not text.strip().isdigit():
        return 1
    return min(max(int(text), 1), MAX_PAGE)


class PageNumber(fields.Integer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", 1)
        super().__init__(validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)


def month_problem(month: str) -> tuple[str, str] | None:
    """Why ``month`` is not an appraisal month (zh, en), or None."""
    if not _MONTH.match(month or ""):
        return "月份格式应为 YYYY-MM，例如 2026-11", "Use the form YYYY-MM, e.g. 2026-11"
    if not FIRST_MONTH <= month <= LAST_MONTH:
        return (
            f"月份应在 {FIRST_MONTH} 至 {LAST_MONTH} 之间",
            f"The month must lie between {FIRST_MONTH} and {LAST_MONTH}",
        )
    return None


def month_messages() -> list[tuple[str, str]]:
    """The Month field's messages (zh, en), for the table of field errors' English."""
    return [month_problem("x") or ("", ""), month_problem("0001-01") or ("", "")]


class Month(fields.String):
    """An appraisal month, ``YYYY-MM`` between FIRST_MONTH and LAST_MONTH."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"example": "2026-11", "pattern": _MONTH.pattern, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        month: str = super()._deserialize(value, attr, data, **kwargs)
        problem = month_problem(month)
        if problem is not None:
            raise ValidationError(problem[0])
        return month


class IdConverter(IntegerConverter):
    """Every integer in a URL is a database id: beyond the column's range there is nothing (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
