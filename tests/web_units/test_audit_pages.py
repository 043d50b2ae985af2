"""Auditors' web pages: history search with data changes, CSV / XLSX / JSON Lines exports, chain check."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases.audit_trail import CHINA, CSV_HEADERS
from service.usecases.event_names import EventNames
from service.usecases.export_cells import MAX_CELL
from service.web import audit_pages
from service.web.audit_xlsx import HEADERS, events_xlsx
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def recruitment(users: dict[str, User]) -> int:
    """A recruitment whose plan was drafted by the bureau and returned by Party Affairs."""
    instance = start_recruitment(users["bureau"])
    complete(users["bureau"], "police_bureau", "draft_plan", {"plan_title": "计划甲", "monthly_salary": 4000})
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬偏低"})
    return int(instance["id"])


def rows_of(page: str) -> list[str]:
    """The result rows of a search page, as HTML text."""
    body = page.split('id="audit-events"')[1]  # the last row runs on to the page's end: harmless here
    return ['<tr class="event"' + row for row in body.split('<tr class="event"')[1:]]


def test_only_auditors_reach_the_audit_pages(app: Flask, recruitment: int) -> None:
    bureau = web_login(app, "bureau")
    for url in ("/audit", f"/audit?instance_id={recruitment}", "/audit/export.csv", "/audit/chain?run=1"):
        page = get(bureau, url, expect=403)
        assert "只有审计人员" in page
    assert 'id="nav-audit"' not in get(bureau, "/")
    auditor = web_login(app, "auditor")
    assert 'id="nav-audit"' in get(auditor, "/")
    assert app.test_client().get("/audit").status_code == 302  # to the login page


def test_search_shows_who_when_and_the_data_change(
    app: Flask, recruitment: int, users: dict[str, User]
) -> None:
    auditor = web_login(app, "auditor")
    page = get(auditor, f"/audit?instance_id={recruitment}")
    api_total = users["auditor"].get(f"/api/v1/audit/events?instance_id={recruitment}")["total"]
    assert f"共 {api_total} 条" in page
    text = html.unescape(page)
    completed = [row for row in rows_of(text) if "task_completed" in row]
    assert len(completed) == 2
    drafted = next(row for row in completed if "起草用人计划" in row)
    assert "bureau" in drafted and "police_bureau" in drafted
    # The change of a completed task: each submitted field with its value before and the value submitted.
    # Fields by their titles (the key in the cell's title), choices by their labels.
    assert '<td title="plan_title">计划名称</td>' in drafted and '"计划甲"' in drafted
    reviewed = next(row for row in completed if "审核用人计划及薪酬" in row)
    assert '"退回修改"' in reviewed and '"薪酬偏低"' in reviewed and "party" in reviewed
    # Other events show their payload.
    started = next(row for row in rows_of(text) if "instance_started" in row)
    assert '"process_id":"招聘流程"' in started  # codes in the data by name on the page

    only = html.unescape(get(auditor, f"/audit?actor=party&action=task_completed&instance_id={recruitment}"))
    assert "共 1 条" in only and len(rows_of(only)) == 1
    assert "共 0 条" in get(auditor, "/audit?department_code=finance")


def test_search_by_dates_and_bad_input(app: Flask, recruitment: int, clock: ManualClock) -> None:
    auditor = web_login(app, "auditor")
    today = clock.now().astimezone(CHINA).date()
    assert "共 0 条" not in get(auditor, f"/audit?instance_id={recruitment}&since={today}&until={today}")
    tomorrow = today + timedelta(days=1)
    assert "共 0 条" in get(auditor, f"/audit?instance_id={recruitment}&since={tomorrow}")
    assert "共 0 条" in get(auditor, f"/audit?instance_id={recruitment}&until={today - timedelta(days=1)}")
    page = get(auditor, "/audit?instance_id=abc&since=2026-13-01", expect=422)
    assert "请输入整数" in page and "日期格式应为 YYYY-MM-DD" in page
    assert "起始时间必须早于截止时间" in get(auditor, f"/audit?since={tomorrow}&until={today}", expect=422)
    assert 'id="audit-events"' not in get(auditor, "/audit")  # the empty form runs no search


def test_pagination(app: Flask, recruitment: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_pages, "PER_PAGE", 3)
    auditor = web_login(app, "auditor")
    first = html.unescape(get(auditor, f"/audit?instance_id={recruitment}"))
    second = html.unescape(get(auditor, f"/audit?instance_id={recruitment}&page=2"))
    assert len(rows_of(first)) == len(rows_of(second)) == 3
    assert rows_of(first) != rows_of(second)
    assert f"/audit?page=2&amp;instance_id={recruitment}" in get(auditor, f"/audit?instance_id={recruitment}")


def download(client: FlaskClient, url: str) -> tuple[bytes, Any]:
    with client.get(url) as response:
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(), response.headers


def test_exports_parse_and_agree(app: Flask, recruitment: int, users: dict[str, User]) -> None:
    auditor = web_login(app, "auditor")
    page = get(auditor, f"/audit?instance_id={recruitment}")
    links = {
        kind: html.unescape(url) for url, kind in re.findall(r'href="([^"]+)" id="export-([a-z]+)"', page)
    }
    assert set(links) == {"csv", "xlsx", "jsonl"}
    total = users["auditor"].get(f"/api/v1/audit/events?instance_id={recruitment}")["total"]

    body, headers = download(auditor, links["csv"])
    assert headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(CSV_HEADERS) and len(rows) == total + 1

    body, headers = download(auditor, links["jsonl"])
    events = [json.loads(line) for line in body.decode().splitlines()]
    assert len(events) == total and all(e["instance_id"] == recruitment for e in events)

    body, headers = download(auditor, links["xlsx"])
    assert headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == list(HEADERS) and len(table) == total + 1
    # The same columns in both (issue 15, point 7): names and labels beside their codes, the time ISO 8601
    # in Beijing time with its zone.
    assert list(CSV_HEADERS) == list(HEADERS)
    for from_csv, from_xlsx in zip(rows[1:], table[1:], strict=True):
        assert str(from_xlsx[0]) == from_csv[0]  # seq
        assert from_xlsx[1] == from_csv[1] and from_csv[1].endswith("+08:00")
        assert [str(v or "") for v in from_xlsx[2:6]] == from_csv[2:6]  # actor and action, named and coded
        assert str(from_xlsx[6]) == from_csv[6]  # instance
        assert [str(v or "") for v in from_xlsx[8:10]] == from_csv[8:10]  # department, named and coded
        assert json.loads(from_xlsx[10]) == json.loads(from_csv[10])  # content
        assert from_xlsx[11] == from_csv[11]  # hash
    labelled = {(row[3], row[5]): (row[2], row[4]) for row in table[1:]}
    assert labelled[("party", "task_completed")] == ("党群工作部 李科长", "办结任务")

    assert get(auditor, "/audit/export.pdf", expect=404)
    assert "请输入整数" in get(auditor, "/audit/export.csv?instance_id=x", expect=422)


def test_xlsx_cells_are_text_never_formulas(app: Flask, ctx: ServiceContext) -> None:
    event = {
        "seq": 7,
        "at": "2026-11-28T01:02:03.456789+00:00",
        "actor": '=HYPERLINK("http://x")',
        "action": "login\x07",
        "instance_id": None,
        "task_id": None,
        "department_code": "@dept",
        "payload": {"note": "x" * (MAX_CELL + 10)},
        "hash": "ab",
    }
    with app.test_request_context():
        workbook = events_xlsx([json.dumps(event) + "\n"], EventNames(ctx, "zh-CN"))
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    header, row = list(sheet.iter_rows())
    assert [c.value for c in header] == list(HEADERS)
    assert row[0].value == 7 and row[1].value == "2026-11-28T09:02:03+08:00" and row[1].data_type == "s"
    # An unknown actor or department has no name: its code, as text, in both columns.
    assert row[2].value == row[3].value == '=HYPERLINK("http://x")' and row[2].data_type == "s"
    assert row[5].value == "login" and row[8].value == row[9].value == "@dept"
    assert len(row[10].value) == MAX_CELL and row[10].value.endswith("[已截断]")


def test_chain_check_page(app: Flask, ctx: ServiceContext, recruitment: int) -> None:
    auditor = web_login(app, "auditor")
    assert 'id="chain-result"' not in get(auditor, "/audit/chain")  # runs only when asked
    page = get(auditor, "/audit/chain?run=1")
    assert 'data-intact="true"' in page
    with ctx.database.transaction() as session:
        event_id = session.scalars(
            select(AuditEventModel.id).where(AuditEventModel.action == "task_completed").limit(1)
        ).one()
        session.execute(update(AuditEventModel).where(AuditEventModel.id == event_id).values(actor="mallory"))
    page = get(auditor, "/audit/chain?run=1")
    assert 'data-intact="false"' in page and "内容被改动" in page and f"id {event_id}" in page
