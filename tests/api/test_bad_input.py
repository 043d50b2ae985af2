"""No input answers 500 (issue 12, point 1), on SQLite and PostgreSQL.

Each request below answered 500 on PostgreSQL (most on SQLite too): ids beyond the INTEGER columns, pages
past 64 bits, NUL characters, months outside the calendar, a town that is no town, JSON nested a thousand
levels deep, values a script left that cannot be stored, a request body of any size.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.test_api_errors import assert_error_shape, snapshot
from tests.conftest import User, token_of
from tests.model_steps import bundle, process, script

BEYOND = 2**31  # one past PostgreSQL's INTEGER


def call(client: FlaskClient, method: str, url: str, who: str | None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token_of(who)}"} if who else {}
    return client.open(url, method=method, headers=headers, **kwargs)


def refused(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert_error_shape(body, response.status_code)
    return body  # type: ignore[no-any-return]


IDS_BEYOND = [
    ("GET", f"/api/v1/instances/{BEYOND}", "auditor", None),
    ("GET", f"/api/v1/instances/{BEYOND}/history", "auditor", None),
    ("GET", f"/api/v1/campaigns/{BEYOND}", "auditor", None),
    ("GET", f"/api/v1/officers/{BEYOND}/appraisals?until=2026-11", "auditor", None),
    ("POST", f"/api/v1/definitions/{BEYOND}/retire", "designer", None),
    ("POST", f"/api/v1/admin/tokens/{BEYOND}/revoke", "admin", None),
    ("PATCH", f"/api/v1/admin/users/{BEYOND}", "admin", {"display_name": "x"}),
    ("POST", f"/api/v1/admin/users/{BEYOND}/tokens", "admin", {"name": "x"}),
    ("POST", f"/api/v1/campaigns/{BEYOND}/applications", "bureau", {"name": "x"}),
    ("GET", f"/api/v1/audit/events?instance_id={BEYOND}", "auditor", None),
    ("GET", f"/api/v1/audit/events?officer_id={2**70}", "auditor", None),
    ("GET", f"/api/v1/incidents?instance_id={BEYOND}", "designer", None),
    ("POST", f"/api/v1/incidents/{BEYOND}/resolve", "designer", {"resolution": "x"}),
    ("POST", f"/api/v1/me/tokens/{BEYOND}/revoke", "bureau", None),
    # Issue 13's routes and filters.
    ("GET", f"/api/v1/officers?campaign={BEYOND}", "auditor", None),
    ("GET", f"/api/v1/officers/{BEYOND}", "auditor", None),
    ("POST", f"/api/v1/officers/{BEYOND}/status", "bureau_head", {"status": "resigned"}),
    ("GET", f"/api/v1/campaigns/{BEYOND}/applications", "bureau", None),
    ("GET", f"/api/v1/campaigns/{BEYOND}/calendar", "bureau", None),
    ("POST", f"/api/v1/campaigns/{BEYOND}/calendar/close-registration", "bureau_head", {"reason": "x"}),
    ("POST", f"/api/v1/campaigns/1/notices/{BEYOND}/extend", "bureau_head", {"reason": "x"}),
    ("POST", f"/api/v1/tasks/{BEYOND}/due-date", "bureau_head", {"reason": "x"}),
    ("GET", f"/api/v1/admin/users/{BEYOND}", "admin", None),
    # Issue 15, point 4.
    ("GET", f"/api/v1/instances/{BEYOND}/comments", "auditor", None),
    ("POST", f"/api/v1/instances/{BEYOND}/comments", "bureau", {"text": "x"}),
    ("GET", f"/api/v1/instances/{BEYOND}/attachments", "auditor", None),
    ("POST", f"/api/v1/instances/{BEYOND}/attachments", "bureau", None),
    ("GET", f"/api/v1/attachments/{BEYOND}/content", "auditor", None),
    ("DELETE", f"/api/v1/inbox/filters/{BEYOND}", "bureau", None),
    ("POST", f"/api/v1/notifications/{BEYOND}/read", "gushan_station", None),
    ("GET", f"/api/v1/notifications?page={2**70}", "gushan_station", None),
]


@pytest.mark.parametrize(("method", "url", "who", "body"), IDS_BEYOND, ids=[i[1] for i in IDS_BEYOND])
def test_an_id_beyond_the_columns_is_not_found_or_refused(
    app: Flask, method: str, url: str, who: str, body: Any
) -> None:
    refused(call(app.test_client(), method, url, who, json=body), 404, 422)


def test_a_page_past_64_bits_is_refused(users: dict[str, User]) -> None:
    body = users["auditor"].get(
        "/api/v1/instances/1/history?page=842901363221456768&per_page=162", expect=422
    )
    assert_error_shape(body, 422)
    assert set(body["errors"]) == {"page"}
    users["auditor"].get("/api/v1/instances?page=1000000", expect=200)  # far, but still a page


NUL_REQUESTS = [
    ("POST", "/api/v1/auth/login", None, {"username": "a\u0000b", "password": "x"}, "username"),
    ("POST", "/api/v1/instances", "bureau", {"process_id": "a\u0000b"}, "process_id"),
    (
        "POST",
        "/api/v1/instances",
        "bureau",
        {"process_id": "recruitment", "business_key": "k\u0000"},
        "business_key",
    ),
    ("GET", "/api/v1/queues/police_bureau/tasks?q=a%00b", "bureau", None, "q"),
    ("POST", "/api/v1/admin/users/1/tokens", "admin", {"name": "n\u0000"}, "name"),
    (
        "POST",
        "/api/v1/instances",
        "bureau",
        {"process_id": "recruitment", "data": {"k": ["\u0000"]}},
        "data.k[0]",
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "who", "body", "field"), NUL_REQUESTS, ids=[r[4] for r in NUL_REQUESTS]
)
def test_a_nul_character_is_refused_naming_the_field(
    app: Flask, ctx: ServiceContext, method: str, url: str, who: str | None, body: Any, field: str
) -> None:
    before = snapshot(ctx)
    answer = refused(call(app.test_client(), method, url, who, json=body), 422)
    assert field in answer["errors"], answer
    assert "NUL" in answer["errors"][field][0] and "NUL" in answer["errors"][field][1]
    assert snapshot(ctx) == before


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "2026-13", "2026-1"])
def test_months_outside_the_programme_are_refused_with_a_clear_message(
    users: dict[str, User], ctx: ServiceContext, month: str
) -> None:
    before = snapshot(ctx)
    started = users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=422)
    chinese, english = started["errors"]["month"]
    assert "月份" in chinese or "格式" in chinese
    assert "YYYY-MM" in english or "month" in english
    report = users["auditor"].get(f"/api/v1/appraisals/reports/{month}", expect=422)
    assert "月份" in report["message"]
    assert "YYYY-MM" in report["message_en"] or "month" in report["message_en"]
    year = users["auditor"].get(f"/api/v1/officers/1/appraisals?until={month}", expect=422)
    assert "until" in year["errors"]
    assert snapshot(ctx) == before  # no appraisal started
    if month == "0001-01":
        assert "2025-01" in started["errors"]["month"][0] and "2099-12" in started["errors"]["month"][1]


@pytest.mark.parametrize(
    ("town", "status"),
    [("%E4%B8%AD", 422), ("a%0d%0ab", 422), ("a:b", 422), ("nowhere", 404), ("x" * 40, 422)],
    ids=["chinese", "crlf", "colon", "unknown", "long"],
)
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_month_report_town_must_be_a_town(
    users: dict[str, User], town: str, status: int, fmt: str
) -> None:
    body = users["auditor"].get(f"/api/v1/appraisals/reports/2026-11?format={fmt}&town={town}", expect=status)
    assert_error_shape(body, status)


def test_a_known_town_still_downloads_with_one_charset(app: Flask) -> None:
    response = call(
        app.test_client(), "GET", "/api/v1/appraisals/reports/2026-11?format=csv&town=gushan", "auditor"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "gushan" in response.headers["Content-Disposition"]


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_json_bodies_are_refused(app: Flask, ctx: ServiceContext) -> None:
    client, before = app.test_client(), snapshot(ctx)
    for url, who, depth in [
        ("/api/v1/instances", "bureau", 1200),
        ("/api/v1/definitions", "designer", 10_000),
    ]:
        body = refused(
            call(client, "POST", url, who, data=nested_list(depth), content_type="application/json"), 422
        )
        assert "32" in body["message"] and "32" in body["message_en"]
    data: Any = []
    for _ in range(600):
        data = [data]
    start = {"process_id": "recruitment", "data": {"deep": data}}
    refused(call(client, "POST", "/api/v1/instances", "bureau", json=start), 422)
    assert snapshot(ctx) == before


def test_numbers_json_cannot_store_are_refused(app: Flask, ctx: ServiceContext) -> None:
    client, before = app.test_client(), snapshot(ctx)
    for raw in [
        '{"process_id": "recruitment", "data": {"n": 1%s}}' % ("0" * 400),
        '{"process_id": "recruitment", "data": {"n": NaN}}',
    ]:
        body = refused(
            call(client, "POST", "/api/v1/instances", "bureau", data=raw, content_type="application/json"),
            422,
        )
        assert "data.n" in body["errors"]
    assert snapshot(ctx) == before


def scripted(process_id: str, code: str) -> dict[str, str]:
    flows: list[tuple[str, str, str | None]] = [("start", "compute", None), ("compute", "end", None)]
    return bundle(process(process_id, script("compute", "计算", code), flows))


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("x = [0]\nfor i in range(5000):\n    x = [x]", "嵌套"),
        ("x = 10**400", "64 位"),
        ("x = {'a': {1, 2}}", "set"),
        ("x = {(1, 2): 'pair'}", "tuple"),
        ("x = [ValueError('e')]", "ValueError"),
    ],
    ids=["deep_list", "huge_int", "set", "tuple_key", "exception"],
)
def test_a_script_leaving_an_unstorable_value_is_refused_naming_the_element(
    users: dict[str, User], ctx: ServiceContext, code: str, said: str
) -> None:
    process_id = f"unstorable_{abs(hash(code)) % 10_000}"
    users["designer"].post("/api/v1/definitions", {"files": scripted(process_id, code)}, expect=201)
    before = snapshot(ctx)
    body = users["bureau"].post("/api/v1/instances", {"process_id": process_id}, expect=422)
    assert body["code"] == 422 and "Traceback" not in str(body)
    assert "计算（compute）" in body["message"] and said in body["message"]
    assert "compute" in body["message_en"]
    assert snapshot(ctx)[:2] == before[:2]  # no instance, no task (the refusal is an incident)


def test_a_script_the_restricted_environment_refuses_is_refused_at_deploy_on_its_element(
    users: dict[str, User],
) -> None:
    # Compiled at deploy by the engine's own restricted compiler (issue 14, point 2), not when an instance
    # gets there: a class cannot be defined in a model's script.
    files = scripted("unstorable_class", "class A:\n    pass\nx = A()")
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    (problem,) = body["errors"]["problems"]
    assert problem.startswith("unstorable_class/compute: 脚本未通过受限脚本环境的检查")
    assert "不能定义类" in problem and "the restricted script environment refuses this script" in problem


def test_a_form_file_nested_ten_thousand_levels_is_a_deploy_problem(users: dict[str, User]) -> None:
    files = scripted("deep_form", "x = 1")
    files["test_start.json"] = nested_list(10_000)
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    assert any("test_start.json" in p and "nested deeper" in p for p in body["errors"]["problems"])


def test_instance_data_beyond_its_limit_is_refused_before_anything_is_saved(
    app: Flask, ctx: ServiceContext
) -> None:
    client = app.test_client()
    files = scripted("big_data", 'note = "字" * 100000')  # 300 kB as stored
    assert call(client, "POST", "/api/v1/definitions", "designer", json={"files": files}).status_code == 201
    ctx.settings.max_instance_data_bytes = 200_000
    before = snapshot(ctx)
    body = refused(call(client, "POST", "/api/v1/instances", "bureau", json={"process_id": "big_data"}), 413)
    assert "200000" in body["message"] and "200000" in body["message_en"]
    assert snapshot(ctx) == before


def test_a_body_beyond_the_request_limit_is_413_before_it_is_read(app: Flask) -> None:
    forty_mb = b'{"process_id": "recruitment", "data": {"s": "' + b"x" * (40 * 1024 * 1024) + b'"}}'
    response = call(
        app.test_client(),
        "POST",
        "/api/v1/instances",
        "bureau",
        data=forty_mb,
        content_type="application/json",
    )
    refused(response, 413)
    assert response.headers["X-Request-ID"]


def test_a_bundle_is_limited_in_total_not_only_per_file(users: dict[str, User], ctx: ServiceContext) -> None:
    files = scripted("big_bundle", "x = 1")
    for n in range(6):  # each under the 2 MB per file, together past the 8 MB bundle
        files[f"form_{n}.json"] = json.dumps({"type": "object", "description": "x" * 1_800_000})
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    assert "files" in body["errors"] and "8388608" in body["message"]


def test_method_not_allowed_names_the_allowed_methods(app: Flask) -> None:
    response = call(app.test_client(), "DELETE", "/api/v1/instances", "bureau")
    refused(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_the_request_id_is_kept_or_made_on_every_answer_even_a_refusal(app: Flask) -> None:
    client = app.test_client()
    kept = client.get("/api/v1/instances", headers={"X-Request-ID": "proxy-42"})  # 401: no token
    assert kept.status_code == 401 and kept.headers["X-Request-ID"] == "proxy-42"
    forbidden = call(client, "POST", "/api/v1/definitions/1/retire", "bureau")
    assert forbidden.status_code == 403 and len(forbidden.headers["X-Request-ID"]) == 32
    odd = client.get("/api/v1/me", headers={"X-Request-ID": "a b\u00e9"})
    assert odd.headers["X-Request-ID"] not in ("", "a b\u00e9")


def test_a_lone_surrogate_in_a_model_is_refused_naming_its_file(app: Flask, users: dict[str, User]) -> None:
    """``"\\ud800"`` in a request's JSON is no character: deploy, a draft's file and an import answer 422
    naming the file (deploy answered 500 when it measured the bundle)."""
    client = app.test_client()

    def sent(method: str, url: str, body: Any) -> dict[str, Any]:
        raw = json.dumps(body)  # ASCII: the surrogate travels as its escape, as any client may send it
        return refused(call(client, method, url, "designer", data=raw, content_type="application/json"), 422)

    files = scripted("surrogate", "x = 1")
    files["note.json"] = '{"type": "object",\n "title": "\ud800"}'
    body = sent("POST", "/api/v1/definitions", {"files": files})
    assert "note.json" in body["message"] and "2" in body["message"], body
    version = users["designer"].get("/api/v1/definitions")[0]["id"]
    draft = users["designer"].post("/api/v1/drafts", {"definition_id": version}, expect=201)
    body = sent("PUT", f"/api/v1/drafts/{draft['id']}/files/note.json", {"text": "\ud800"})
    assert "note.json" in body["message"], body
    sent("POST", "/api/v1/drafts/import", {"files": files})
