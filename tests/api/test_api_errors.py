"""Bad input gets one JSON error shape, a message a person can act on, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, HumanTaskModel, InstanceModel
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.conftest import User, token_of


def assert_error_shape(body: dict[str, Any], status: int, names: tuple[str, ...] = ()) -> None:
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    # English second: the same message, translated (no Chinese left in it but the people's ``names``).
    english = body["message_en"]
    assert isinstance(english, str) and all(name in english for name in names)
    for name in names:
        english = english.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", english)
    assert "Traceback" not in str(body)


def snapshot(ctx: ServiceContext) -> tuple[Any, ...]:
    with ctx.database.reading() as session:
        instances = [(i.id, i.lock_version, i.status) for i in session.scalars(select(InstanceModel))]
        tasks = [(t.id, t.state, t.claimed_by) for t in session.scalars(select(HumanTaskModel))]
        # Refusals are recorded on purpose (in their own transaction); everything else must be untouched.
        events = session.scalar(
            select(func.count())
            .select_from(AuditEventModel)
            .where(AuditEventModel.action != "action_refused")
        )
        return instances, tasks, events


def refusals(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        return [
            {"actor": e.actor, **e.payload}
            for e in session.scalars(
                select(AuditEventModel).where(AuditEventModel.action == "action_refused")
            )
        ]


@pytest.fixture
def draft(users: dict[str, User]) -> dict[str, Any]:
    start_recruitment(users["bureau"])
    return the_task(users["bureau"], "police_bureau", "draft_plan")


def test_form_data_failing_its_schema_is_422_with_field_errors_and_changes_nothing(
    users: dict[str, User], ctx: ServiceContext, draft: dict[str, Any]
) -> None:
    before = snapshot(ctx)
    body = users["bureau"].post(
        f"/api/v1/tasks/{draft['id']}/complete",
        {"data": {"plan_title": "", "monthly_salary": -5, "surprise": 1}},
        expect=422,
    )
    assert_error_shape(body, 422)
    assert set(body["errors"]) >= {"plan_title", "monthly_salary"}
    assert "不能小于 0" in body["errors"]["monthly_salary"][0]
    assert snapshot(ctx) == before
    assert [(r["actor"], r["status"]) for r in refusals(ctx)] == [("bureau", 422)]


def test_a_business_rule_refused_by_an_operator_is_422_and_rolls_back(
    users: dict[str, User], ctx: ServiceContext, clock: Any
) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "计划", "monthly_salary": 4000})
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})
    complete(users["finance"], "finance", "confirm_funding", {"decision": "approve"})
    before = snapshot(ctx)
    today = clock.now().date()
    body = complete(
        bureau,
        "police_bureau",
        "publish_announcement",
        {"registration_start": today.isoformat(), "registration_end": "2020-01-01", "announcement": "公告"},
        expect=422,
    )
    assert_error_shape(body, 422)
    assert "报名截止日期" in body["message"]
    assert body["message_en"] == "The registration end date cannot be before its start date"
    assert snapshot(ctx) == before


def test_claim_conflicts_and_completed_tasks_are_409(users: dict[str, User], draft: dict[str, Any]) -> None:
    bureau = users["bureau"]
    other = User(bureau.client, "bureau2")
    from service.usecases.directory import create_user

    app_ctx: ServiceContext = bureau.client.application.extensions["auxpolice"]
    with app_ctx.database.transaction() as session:
        create_user(app_ctx, session, "bureau2", "公安分局 第二人", ["police_bureau"], token_of("bureau2"))
    bureau.post(f"/api/v1/tasks/{draft['id']}/claim")
    # The holder by display name, which stays Chinese on English pages: it is a person's name.
    holder = ("公安分局 王警官",)
    assert_error_shape(other.post(f"/api/v1/tasks/{draft['id']}/claim", expect=409), 409, holder)
    assert_error_shape(other.post(f"/api/v1/tasks/{draft['id']}/release", expect=409), 409, holder)
    other.post(
        f"/api/v1/tasks/{draft['id']}/complete",
        {"data": {"plan_title": "x", "monthly_salary": 1}},
        expect=409,
    )
    bureau.post(f"/api/v1/tasks/{draft['id']}/release")
    other.post(f"/api/v1/tasks/{draft['id']}/complete", {"data": {"plan_title": "x", "monthly_salary": 1}})
    body = bureau.post(
        f"/api/v1/tasks/{draft['id']}/complete",
        {"data": {"plan_title": "x", "monthly_salary": 1}},
        expect=409,
    )
    assert "已办结" in body["message"]


def test_other_departments_are_403(users: dict[str, User], draft: dict[str, Any]) -> None:
    party = users["party"]
    assert_error_shape(party.get("/api/v1/queues/police_bureau/tasks", expect=403), 403)
    party.get(f"/api/v1/tasks/{draft['id']}", expect=403)
    party.post(f"/api/v1/tasks/{draft['id']}/claim", expect=403)
    party.post(f"/api/v1/tasks/{draft['id']}/complete", {"data": {}}, expect=403)


def test_unknown_ids_are_404(users: dict[str, User]) -> None:
    bureau = users["bureau"]
    for url in (
        "/api/v1/instances/9999",
        "/api/v1/instances/9999/history",
        "/api/v1/tasks/nope",
        "/api/v1/campaigns/77",
        "/api/v1/no-such-endpoint",
    ):
        assert_error_shape(bureau.get(url, expect=404), 404)
    bureau.post("/api/v1/tasks/nope/claim", expect=404)
    assert (
        bureau.post("/api/v1/tasks/nope/complete", {"data": {}}, expect=404)["message"] == "任务 nope 不存在"
    )
    body = bureau.post("/api/v1/instances", {"process_id": "no_such_process"}, expect=404)
    assert body["message"] == "流程“no_such_process”尚未部署"
    assert body["message_en"] == "The process \u201cno_such_process\u201d is not deployed"
    assert bureau.get("/api/v1/tasks/nope", expect=404)["message_en"] == "Task nope does not exist"


def test_malformed_json_is_400_and_missing_token_401(
    app: Flask, users: dict[str, User], draft: dict[str, Any]
) -> None:
    client = app.test_client()
    response = client.post(
        f"/api/v1/tasks/{draft['id']}/complete",
        data="{not json",
        headers={"Authorization": f"Bearer {token_of('bureau')}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert_error_shape(response.get_json(), 400)
    response = client.get("/api/v1/queues")
    assert response.status_code == 401
    assert_error_shape(response.get_json(), 401)
    response = client.get("/api/v1/queues", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_queues_show_my_departments_with_counts(users: dict[str, User], draft: dict[str, Any]) -> None:
    queues = users["bureau"].get("/api/v1/queues")
    assert queues == [
        {
            "department": "police_bureau",
            "name_zh": "公安分局",
            "name_en": queues[0]["name_en"],
            "open": 1,
            "claimed_by_me": 0,
            "overdue": 0,
        }
    ]
    users["bureau"].post(f"/api/v1/tasks/{draft['id']}/claim")
    assert users["bureau"].get("/api/v1/queues")[0]["claimed_by_me"] == 1


def test_history_and_openapi(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    history = users["bureau"].get(f"/api/v1/instances/{instance['id']}/history")
    actions = [event["action"] for event in history["items"]]
    assert actions[0] == "instance_started"
    assert "service_executed" in actions and "task_ready" in actions
    spec = app.test_client().get("/api/openapi.json").get_json()
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]


@pytest.mark.own_app
def test_a_transaction_the_database_gave_up_is_409_not_500(app: Flask) -> None:
    # PostgreSQL aborts one of two transactions that wait for each other; the action did not happen and
    # can simply be tried again.
    def deadlocked() -> Any:
        raise OperationalError("UPDATE ...", {}, psycopg.errors.DeadlockDetected("deadlock detected"))

    app.add_url_rule("/api/test/deadlocked", view_func=deadlocked)  # an API path: answered in JSON
    response = app.test_client().get("/api/test/deadlocked")
    assert response.status_code == 409
    assert_error_shape(response.get_json(), 409)
    assert "重试" in response.get_json()["message"]
