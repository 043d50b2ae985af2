"""The auditors' history search and export: every filter, pagination, access, CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask

from service.context import ServiceContext
from service.usecases.audit_trail import CHINA, AuditFilters, export
from service.usecases.directory import Caller
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User

# Each name or label followed by its code (issue 15, point 7).
CSV_HEADERS = [
    "序号",
    "时间（北京时间）",
    "操作人",
    "操作人账号（代码）",
    "操作",
    "操作（代码）",
    "流程实例",
    "任务",
    "部门",
    "部门（代码）",
    "内容(JSON)",
    "哈希",
]
# What JSON Lines add to each event as recorded.
NAMED = {"at_beijing", "actor_name", "action_label", "department_name"}
ENDPOINTS = ("/api/v1/audit/verify", "/api/v1/audit/events", "/api/v1/audit/events/export?format=jsonl")


def search(auditor: User, expect: int = 200, **args: Any) -> Any:
    return auditor.get(f"/api/v1/audit/events?{urlencode(args)}", expect=expect)


def history(auditor: User, **filters: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = search(auditor, **filters, per_page=200, page=page)
        items.extend(body["items"])
        if page * 200 >= body["total"]:
            return items
        page += 1


def download(auditor: User, fmt: str, **filters: Any) -> tuple[str, Any]:
    response = auditor.client.get(
        f"/api/v1/audit/events/export?{urlencode({'format': fmt, **filters})}", headers=auditor._headers()
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True), response.headers


@pytest.fixture
def timeline(users: dict[str, User], clock: Any) -> dict[str, datetime]:
    """A recruitment's first steps, one hour apart on the service clock, and one refused request."""
    bureau, party, finance = users["bureau"], users["party"], users["finance"]
    times = {"start": clock.now()}
    recruitment = start_recruitment(bureau)
    for name, user, department, element, data in (
        ("draft", bureau, "police_bureau", "draft_plan", {"plan_title": "计划", "monthly_salary": 4200}),
        ("review", party, "party_affairs", "review_plan", {"decision": "approve"}),
        ("funding", finance, "finance", "confirm_funding", {"decision": "approve"}),
    ):
        clock.advance(timedelta(hours=1))
        times[name] = clock.now()
        complete(user, department, element, data)
    clock.advance(timedelta(hours=1))
    times["refused"] = clock.now()
    bureau.get("/api/v1/audit/events", expect=403)
    times["instance"] = recruitment["id"]
    return times


def without_subject(event: dict[str, Any]) -> dict[str, Any]:
    # The search names whom an event's instance is about; the export keeps the event as recorded.
    return {key: value for key, value in event.items() if key != "subject"}


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"])


def test_each_filter_returns_exactly_the_matching_events(
    users: dict[str, User], timeline: dict[str, Any]
) -> None:
    auditor = users["auditor"]
    everything = history(auditor)
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))

    def check(filters: dict[str, Any], keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        found = history(auditor, **filters)
        assert found == [e for e in everything if keep(e)], filters
        assert found, filters
        return found

    by_party = check({"actor": "party"}, lambda e: e["actor"] == "party")
    assert [(e["action"], e["payload"]["element"]) for e in by_party] == [("task_completed", "review_plan")]
    party_dept = check(
        {"department_code": "party_affairs"}, lambda e: e["department_code"] == "party_affairs"
    )
    assert {"task_ready", "task_completed"} <= {e["action"] for e in party_dept}
    completed = check({"action": "task_completed"}, lambda e: e["action"] == "task_completed")
    assert [e["actor"] for e in completed] == ["bureau", "party", "finance"]
    check({"instance_id": timeline["instance"]}, lambda e: e["instance_id"] == timeline["instance"])
    both = check(
        {"actor": "bureau", "action": "task_completed"},
        lambda e: e["actor"] == "bureau" and e["action"] == "task_completed",
    )
    assert [e["payload"]["element"] for e in both] == ["draft_plan"]
    refused = check({"action": "action_refused"}, lambda e: e["action"] == "action_refused")
    assert [(e["actor"], e["payload"]["path"], e["payload"]["status"]) for e in refused] == [
        ("bureau", "/api/v1/audit/events", 403)
    ]

    # Time range: since inclusive, until exclusive; given with a zone, or without one as Beijing time.
    window = check(
        {"since": timeline["draft"].isoformat(), "until": timeline["review"].isoformat()},
        lambda e: timeline["draft"] <= at(e) < timeline["review"],
    )
    assert {at(e) for e in window} == {timeline["draft"]}
    assert ("bureau", "task_completed") in {(e["actor"], e["action"]) for e in window}
    beijing = {
        "since": timeline["review"].astimezone(CHINA).replace(tzinfo=None).isoformat(),
        "until": timeline["funding"].astimezone(CHINA).replace(tzinfo=None).isoformat(),
    }
    assert {at(e) for e in check(beijing, lambda e: timeline["review"] <= at(e) < timeline["funding"])} == {
        timeline["review"]
    }
    late = check({"since": timeline["funding"].isoformat()}, lambda e: at(e) >= timeline["funding"])
    assert {e["action"] for e in late} >= {"task_completed", "action_refused"}
    check({"until": timeline["draft"].isoformat()}, lambda e: at(e) < timeline["draft"])
    assert history(auditor, actor="nobody") == []
    assert history(auditor, officer_id=1) == [] and history(auditor, application_id=1) == []


def test_pages_add_up_to_the_whole_history(users: dict[str, User], timeline: dict[str, Any]) -> None:
    auditor = users["auditor"]
    everything = history(auditor)
    pages, page = [], 1
    while True:
        body = search(auditor, per_page=7, page=page)
        assert (body["total"], body["page"], body["per_page"]) == (len(everything), page, 7)
        if not body["items"]:
            break
        assert len(body["items"]) == min(7, len(everything) - (page - 1) * 7)
        pages.extend(body["items"])
        page += 1
    assert pages == everything and page == -(-len(everything) // 7) + 1  # the first empty page ends it
    assert search(auditor, action="task_completed", per_page=2)["total"] == 3
    assert len(search(auditor, action="task_completed", per_page=2, page=2)["items"]) == 1
    assert search(auditor)["per_page"] == 50
    assert search(auditor, per_page=200)["per_page"] == 200


@pytest.mark.parametrize(
    "args",
    [
        {"per_page": 201},
        {"per_page": 0},
        {"page": 0},
        {"instance_id": "abc"},
        {"since": "yesterday"},
        {"since": "2026-11-02T00:00:00+08:00", "until": "2026-11-01T00:00:00+08:00"},
    ],
)
def test_bad_search_arguments_are_422(users: dict[str, User], args: dict[str, Any]) -> None:
    body = search(users["auditor"], expect=422, **args)
    assert body["code"] == 422 and body["message"]


def test_only_auditors_may_read_the_audit_trail(users: dict[str, User], app: Flask) -> None:
    for path in ENDPOINTS:
        users["auditor"].get(path, expect=200)
        for other in ("bureau", "admin", "designer", "bureau_head", "gushan_gov"):
            body = users[other].get(path, expect=403)
            assert body["message"] == "您的角色无权执行该操作"
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 401
        forged = app.test_client().get(path, headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401
    refused = history(users["auditor"], action="action_refused")
    assert len(refused) == len(ENDPOINTS) * 7
    paths = {path.split("?")[0] for path in ENDPOINTS}
    assert {(e["actor"], e["payload"]["status"]) for e in refused if e["payload"]["path"] in paths} == {
        ("bureau", 403),
        ("admin", 403),
        ("designer", 403),
        ("bureau_head", 403),
        ("gushan_gov", 403),
        ("anonymous", 401),
    }


def test_export_as_csv_with_chinese_headers(users: dict[str, User], timeline: dict[str, Any]) -> None:
    auditor = users["auditor"]
    body, headers = download(auditor, "csv")
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"].startswith("attachment; filename=audit-events-")
    assert headers["Content-Disposition"].endswith(".csv")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    everything = history(auditor)
    assert rows[0] == CSV_HEADERS and len(rows) - 1 == len(everything)
    for row, event in zip(rows[1:], everything, strict=True):
        assert int(row[0]) == event["seq"] and row[11] == event["hash"]
        assert datetime.fromisoformat(row[1]) == at(event) and row[1].endswith("+08:00")
        assert (row[3], row[5], row[9]) == (event["actor"], event["action"], event["department_code"] or "")
        assert row[6] == str(event["instance_id"] or "") and row[7] == (event["task_id"] or "")
        assert json.loads(row[10]) == event["payload"]
    # Names and labels beside the codes.
    named = {(row[3], row[5], row[9]): (row[2], row[4], row[8]) for row in rows[1:]}
    party = ("党群工作部 李科长", "办结任务", "党群工作部")
    assert named[("party", "task_completed", "party_affairs")] == party

    filtered, _headers = download(auditor, "csv", department_code="finance")
    finance_rows = list(csv.reader(io.StringIO(filtered.lstrip("\ufeff"))))
    total = search(auditor, department_code="finance")["total"]
    assert total >= 2 and len(finance_rows) == total + 1
    assert {row[9] for row in finance_rows[1:]} == {"finance"}


def test_export_as_json_lines(users: dict[str, User], timeline: dict[str, Any]) -> None:
    auditor = users["auditor"]
    body, headers = download(auditor, "jsonl", since=timeline["draft"].isoformat())
    assert headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert headers["Content-Disposition"].endswith(".jsonl")
    assert "起草用人计划" in body  # not \u-escaped
    lines = [json.loads(line) for line in body.splitlines()]
    expected = history(auditor, since=timeline["draft"].isoformat())
    assert len(lines) == len(expected) >= 5
    assert all(isinstance(line["seq"], int) and len(line["hash"]) == 64 for line in lines)
    # The event as recorded (its time in UTC), with Beijing time and the names beside the codes.
    recorded = [{k: v for k, v in line.items() if k not in NAMED} for line in lines]
    assert recorded == [{**without_subject(event), "at": at(event).isoformat()} for event in expected]
    for line, event in zip(lines, expected, strict=True):
        assert line["at_beijing"] == at(event).astimezone(CHINA).isoformat(timespec="seconds")
        assert line["at_beijing"].endswith("+08:00")
    completed = next(line for line in lines if line["action"] == "task_completed")
    assert completed["action_label"] == "办结任务" and completed["department_name"]


def test_export_is_generated_in_chunks(
    users: dict[str, User], ctx: ServiceContext, timeline: dict[str, Any]
) -> None:
    everything = history(users["auditor"])
    auditor = Caller("auditor", "审计", frozenset(), roles=frozenset({"auditor"}))
    chunks = list(export(ctx, auditor, AuditFilters(), "jsonl", chunk=4))
    assert len(chunks) == -(-len(everything) // 4)
    assert all(len(chunk.splitlines()) == 4 for chunk in chunks[:-1])
    assert [json.loads(line)["seq"] for chunk in chunks for line in chunk.splitlines()] == [
        e["seq"] for e in everything
    ]
    csv_chunks = list(export(ctx, auditor, AuditFilters(actor="system"), "csv", chunk=5))
    assert csv_chunks[0].lstrip("\ufeff").strip() == ",".join(CSV_HEADERS)
    system = [e for e in everything if e["actor"] == "system"]
    assert len(csv_chunks) == 1 + -(-len(system) // 5)
    rows = list(csv.reader(io.StringIO("".join(csv_chunks).lstrip("\ufeff"))))
    assert [int(row[0]) for row in rows[1:]] == [e["seq"] for e in system]


def test_csv_cells_cannot_smuggle_spreadsheet_formulas(users: dict[str, User], app: Flask) -> None:
    name = '=HYPERLINK("http://evil.example","x")'
    response = app.test_client().post("/api/v1/auth/login", json={"username": name, "password": "whatever"})
    assert response.status_code == 401
    body, _headers = download(users["auditor"], "csv", action="login_failed")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["'" + name]
    lines, _headers = download(users["auditor"], "jsonl", action="login_failed")
    assert json.loads(lines)["actor"] == name  # JSON Lines keep the value as recorded


def test_times_are_compared_in_utc(users: dict[str, User], timeline: dict[str, Any]) -> None:
    draft = timeline["draft"]
    in_tokyo = draft.astimezone(timezone(timedelta(hours=9))).isoformat()
    in_utc = draft.astimezone(UTC).isoformat()
    assert in_tokyo != in_utc
    found = history(users["auditor"], since=in_tokyo)
    assert found == history(users["auditor"], since=in_utc) and min(at(e) for e in found) == draft
