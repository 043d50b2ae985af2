"""The auditors' search over a large history (issue 16, point 3): its total is counted up to 1,000 and then
said to be a lower bound, its pages add up in chain order and newest first, and the searches by name, label,
free text and days find the same events as before the indexes of migration 0028. On SQLite and PostgreSQL
(where the free text reads the trigram index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import text

from service import audit
from service.context import ServiceContext
from service.usecases.audit_trail import SEARCH_COUNT_BOUND
from tests.conftest import User
from tests.web_units.browser_session import web_login

# 2026-11-02 in Beijing is 2026-11-01T16:00Z .. 2026-11-02T16:00Z.
DAY_START = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
COMPLAINTS = SEARCH_COUNT_BOUND + 100


def search(auditor: User, **args: Any) -> Any:
    return auditor.get(f"/api/v1/audit/events?{urlencode(args, doseq=True)}")


@pytest.fixture
def year(ctx: ServiceContext) -> dict[str, Any]:
    """1,100 complaint events by 李科长 (party) over the 2nd of November, in chain order but written out of
    time order (every second event an hour earlier than the one before it: chain order is not time order);
    three scoring events of another person on the 3rd."""
    with ctx.database.transaction() as session:
        for number in range(COMPLAINTS):
            at = DAY_START + timedelta(seconds=20 * number) - timedelta(hours=number % 2)
            audit.record(
                session,
                at + timedelta(hours=1),
                "party",
                "task_completed",
                department_code="party_affairs",
                submitted={"reason": f"本月发生群众投诉第{number}起", "number": number},
            )
        for number in range(3):
            audit.record(
                session,
                DAY_START + timedelta(days=1, hours=number + 1),
                "finance",
                "task_completed",
                department_code="finance",
                submitted={"decision": "approve", "number": number},
            )
    return {}


def every_page(auditor: User, per_page: int, **filters: Any) -> list[dict[str, Any]]:
    found, page = [], 1
    while True:
        body = search(auditor, per_page=per_page, page=page, **filters)
        if not body["items"]:
            return found
        found.extend(body["items"])
        page += 1


def test_the_total_stops_at_the_bound(users: dict[str, User], year: dict[str, Any]) -> None:
    auditor = users["auditor"]
    first = search(auditor, text="群众投诉")
    assert (first["total"], first["total_is_lower_bound"]) == (SEARCH_COUNT_BOUND, True)
    assert len(first["items"]) == 50
    # A page past the bound is counted at least to its end, and exactly where the events end.
    far = search(auditor, text="群众投诉", per_page=200, page=6)
    assert (far["total"], far["total_is_lower_bound"]) == (COMPLAINTS, False)
    assert len(far["items"]) == COMPLAINTS - 1000
    narrow = search(auditor, person="张科长", date_from="2026-11-03", date_to="2026-11-03")
    assert (narrow["total"], narrow["total_is_lower_bound"]) == (3, False)
    assert [e["payload"]["submitted"]["number"] for e in narrow["items"]] == [0, 1, 2]


def test_pages_of_a_day_in_chain_order_and_newest_first(users: dict[str, User], year: dict[str, Any]) -> None:
    auditor = users["auditor"]
    day = {"date_from": "2026-11-02", "date_to": "2026-11-02"}
    chain = every_page(auditor, 200, **day)
    assert [e["payload"]["submitted"]["number"] for e in chain] == list(range(COMPLAINTS))
    assert [e["seq"] for e in chain] == sorted(e["seq"] for e in chain)
    newest = every_page(auditor, 200, order="newest", **day)
    assert sorted(e["id"] for e in newest) == sorted(e["id"] for e in chain)  # the same events, each once
    keys = [(e["at"], e["id"]) for e in newest]
    assert keys == sorted(keys, reverse=True) and keys != [(e["at"], e["id"]) for e in reversed(chain)]
    # Pages stay put when later events are added: the day's first page is the same.
    assert search(auditor, per_page=50, **day)["items"] == chain[:50]


def test_the_searches_find_the_same_events(
    users: dict[str, User], ctx: ServiceContext, year: dict[str, Any]
) -> None:
    auditor = users["auditor"]
    complaints = every_page(auditor, 200, text="投诉第10")  # 10, 100-109, 1000-1099
    assert sorted(e["payload"]["submitted"]["number"] for e in complaints) == sorted(
        n for n in range(COMPLAINTS) if "投诉第10" in f"投诉第{n}起"
    )
    assert every_page(auditor, 200, text="投诉第10", person="李科长", action_label="办结任务") == complaints
    assert every_page(auditor, 200, text="投诉第10", date_from="2026-11-03") == []
    third = {"date_from": "2026-11-03", "date_to": "2026-11-03"}
    approvals = every_page(auditor, 200, text="approve", **third)
    assert len(approvals) == 3 and every_page(auditor, 200, text="APPROVE", **third) == approvals
    if not ctx.database.is_sqlite:  # the free text is read from the trigram index, not the whole table
        with ctx.database.engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            explain = "EXPLAIN SELECT id FROM audit_events WHERE CAST(payload AS TEXT) ILIKE :pattern"
            plan = "\n".join(connection.execute(text(explain), {"pattern": "%投诉第10%"}).scalars())
        assert "ix_audit_events_payload_trgm" in plan, plan


def test_the_page_says_1000_plus(app: Flask, year: dict[str, Any]) -> None:
    client = web_login(app, "auditor")
    page = client.get("/audit?" + urlencode({"text": "群众投诉"})).get_data(as_text=True)
    assert "共 1,000+ 条" in page and 'id="audit-bound-note"' in page
    assert "第 1 / 21+ 页" in page
    narrow = client.get("/audit?" + urlencode({"text": "投诉第1099起"})).get_data(as_text=True)
    assert "共 1 条" in narrow and 'id="audit-bound-note"' not in narrow
