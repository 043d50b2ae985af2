"""The instance page reads in few round trips (issue 16, point 3): its statements and read sessions are
counted, so that a lookup added per task, per event or per name shows here, not as a slow page on a
loaded server (docs/benchmarks.md, "Auditor searches and the instance page after the fixes")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from service.context import ServiceContext
from tests.conftest import User
from tests.web_units.browser_session import web_login
from tests.web_units.test_instance_people_page import appraisal, page_of  # noqa: F401 - the fixture


@contextmanager
def counted(ctx: ServiceContext) -> Iterator[dict[str, list[str]]]:
    """The statements and the transactions begun on both engines while the block runs."""
    seen: dict[str, list[str]] = {"statements": [], "sessions": []}
    engines = {ctx.database.engine, ctx.database.read_engine}

    def statement(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        seen["statements"].append(sql)

    def begin(connection: Any) -> None:
        seen["sessions"].append(str(connection.engine.url))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "begin", begin)


def test_the_instance_page_reads_in_one_session(app: Flask, ctx: ServiceContext, appraisal: int) -> None:  # noqa: F811
    client = web_login(app, "auditor")
    page_of(client, appraisal)  # the models' and names' caches filled, as on a running server
    with counted(ctx) as seen:
        page = page_of(client, appraisal)
    assert "一票否决决定" in page and "崮山镇政府 孙科员" in page  # the history, its people by name
    statements = [sql for sql in seen["statements"] if sql.strip() != "BEGIN"]
    # Signing in is two reads (the web session, the user); the page itself is one: it was 17 more, one
    # per use case and per name looked up, with 36 statements (the instance selected 5 times, the people
    # one at a time).
    assert len(seen["sessions"]) <= 3, seen["sessions"]
    assert len(statements) <= 19, "\n".join(statements)
    assert sum(sql.startswith("SELECT instances.id, instances.definition_id") for sql in statements) == 1
    assert sum("FROM users " in sql and "username IN" in sql for sql in statements) == 1


def test_the_history_total_is_the_same_counted_or_not(users: dict[str, User], appraisal: int) -> None:  # noqa: F811
    # A history that ends on the page asked for is not counted again (the page knows its length).
    auditor = users["auditor"]
    whole = auditor.get(f"/api/v1/instances/{appraisal}/history?per_page=200")
    assert whole["total"] == len(whole["items"]) >= 10
    pages = [auditor.get(f"/api/v1/instances/{appraisal}/history?per_page=3&page={n}") for n in range(1, 7)]
    assert {page["total"] for page in pages} == {whole["total"]}
    assert [e for page in pages for e in page["items"]] == whole["items"][:18]
    beyond = auditor.get(f"/api/v1/instances/{appraisal}/history?per_page=3&page=99")
    assert (beyond["total"], beyond["items"]) == (whole["total"], [])
