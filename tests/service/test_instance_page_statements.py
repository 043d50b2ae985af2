"""The instance page's reads on both databases (issue 16): one session for the page after the sign-in's
two, the instance selected once, the access check of a member of staff asked once for the page's five
use cases (diagram, detail, history, comments, attachments; it was asked six times), none for an auditor,
the people named in one query. A lookup added per task, per event or per name fails here, not as a slow
page on a loaded server (docs/benchmarks.md, "The instance page's statements and rendering")."""

from __future__ import annotations

import pytest
from flask import Flask

from service.context import ServiceContext
from tests.web_units.browser_session import web_login
from tests.web_units.test_instance_page_reads import counted
from tests.web_units.test_instance_people_page import appraisal, page_of  # noqa: F401 - the fixture

ACCESS_CHECK = "SELECT instances.id FROM instances WHERE instances.id ="


@pytest.mark.parametrize(("username", "most"), [("auditor", 17), ("bureau", 19)])
def test_the_instance_page_asks_each_thing_once(
    app: Flask,
    ctx: ServiceContext,
    appraisal: int,  # noqa: F811
    username: str,
    most: int,
) -> None:
    client = web_login(app, username)
    page_of(client, appraisal)  # the models' and names' caches filled, as on a running server
    with counted(ctx) as seen:
        page = page_of(client, appraisal)
    assert "一票否决决定" in page and "崮山镇政府 孙科员" in page  # the history, its people by name
    statements = [" ".join(sql.split()) for sql in seen["statements"] if sql.strip() != "BEGIN"]
    assert len(seen["sessions"]) <= 3, seen["sessions"]
    assert len(statements) <= most, "\n".join(statements)
    assert sum(sql.startswith("SELECT instances.id, instances.definition_id") for sql in statements) == 1
    checks = sum(sql.startswith(ACCESS_CHECK) for sql in statements)
    assert checks == (0 if username == "auditor" else 1), "\n".join(statements)
    assert not any("0 = 1" in sql or "1 != 1" in sql for sql in statements)
    assert sum("FROM users " in sql and "username IN" in sql for sql in statements) == 1
