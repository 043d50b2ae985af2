"""Credentials and segregation of duties: token expiry and revocation, password login with a rate limit,
and the model's separation rules refused with a clear 403 that is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, OfficerModel, UserModel
from tests.api.appraisal_steps import officer_of, rubric, seed, tasks_of
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.conftest import User
from workflows.ports import ManualClock


def user_id(ctx: ServiceContext, username: str) -> int:
    with ctx.database.reading() as session:
        return int(session.scalars(select(UserModel.id).where(UserModel.username == username)).one())


def bearer(app: Flask, token: str, url: str = "/api/v1/me") -> Any:
    return app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})


def refused_events(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        query = select(AuditEventModel).where(AuditEventModel.action == "action_refused")
        return [{"actor": e.actor, **e.payload} for e in session.scalars(query)]


def new_user(users: dict[str, User], username: str, departments: list[str], **extra: Any) -> User:
    body = {"username": username, "display_name": username, "departments": departments, **extra}
    created = users["admin"].post("/api/v1/admin/users", body, expect=201)
    client = users["admin"].client
    return TokenUser(client, username, created["token"])


class TokenUser(User):
    """A user acting with a token issued by the service (not the fixture's fixed one)."""

    def __init__(self, client: Any, username: str, token: str) -> None:
        super().__init__(client, username)
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def test_tokens_expire_and_can_be_revoked(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    admin = users["admin"]
    issued = admin.post(
        f"/api/v1/admin/users/{user_id(ctx, 'party')}/tokens", {"name": "短期", "days": 1}, expect=201
    )
    assert bearer(app, issued["token"]).get_json()["username"] == "party"
    clock.advance(timedelta(days=1, minutes=1))
    expired = bearer(app, issued["token"])
    assert expired.status_code == 401 and "过期" in expired.get_json()["message"]

    second = admin.post(f"/api/v1/admin/users/{user_id(ctx, 'party')}/tokens", {"name": "长期"}, expect=201)
    assert bearer(app, second["token"]).status_code == 200
    admin.post(f"/api/v1/admin/tokens/{second['id']}/revoke", expect=204)
    revoked = bearer(app, second["token"])
    assert revoked.status_code == 401 and "吊销" in revoked.get_json()["message"]
    admin.post(f"/api/v1/admin/tokens/{second['id']}/revoke", expect=409)


def test_password_login_is_slowed_down(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    changed = users["admin"].client.patch(
        f"/api/v1/admin/users/{user_id(ctx, 'finance')}",
        json={"password": "correct-horse-9"},
        headers=users["admin"]._headers(),
    )
    assert changed.status_code == 200
    client = app.test_client()

    def login(password: str) -> Any:
        return client.post("/api/v1/auth/login", json={"username": "finance", "password": password})

    good = login("correct-horse-9")
    assert good.status_code == 200
    token = good.get_json()["token"]
    assert bearer(app, token).get_json()["roles"] == []
    for _ in range(5):
        assert login("wrong-password").status_code == 401
    # Past five failures from this source the next try waits (1 s, then 2, 4, ...): no 15-minute lock.
    slowed = login("correct-horse-9")
    assert slowed.status_code == 429 and "次数过多" in slowed.get_json()["message"]
    assert slowed.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert login("correct-horse-9").status_code == 200
    # Logging out revokes the token used.
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert bearer(app, token).status_code == 401
    with ctx.database.reading() as session:
        actions = [
            e.action
            for e in session.scalars(select(AuditEventModel).where(AuditEventModel.actor == "finance"))
        ]
    assert actions.count("login_failed") == 5 and "login_throttled" in actions and "logout" in actions


def test_the_drafter_of_a_plan_cannot_approve_it(users: dict[str, User], ctx: ServiceContext) -> None:
    both = new_user(users, "both_hats", ["police_bureau", "party_affairs"])
    start_recruitment(users["bureau"])
    draft = the_task(both, "police_bureau", "draft_plan")
    both.post(
        f"/api/v1/tasks/{draft['id']}/complete", {"data": {"plan_title": "计划", "monthly_salary": 4000}}
    )
    review = the_task(both, "party_affairs", "review_plan")
    body = both.post(f"/api/v1/tasks/{review['id']}/complete", {"data": {"decision": "approve"}}, expect=403)
    assert "职责分离" in body["message"]
    both.post(f"/api/v1/tasks/{review['id']}/claim", expect=403)
    assert any(r["actor"] == "both_hats" and r["status"] == 403 for r in refused_events(ctx))
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})


def test_station_and_town_scorers_differ_and_nobody_appraises_themselves(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    both = new_user(users, "gushan_both", ["police_station:gushan", "town_gov:gushan"])
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    station_task = tasks_of(both, "police_station:gushan", "station_score")[0]
    officer = officer_of(both, station_task)
    both.post(
        f"/api/v1/tasks/{station_task['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    town_task = next(
        t for t in tasks_of(both, "town_gov:gushan", "town_score") if officer_of(both, t) == officer
    )
    town_data = {
        "town_items": rubric("town_score.json", "town_items", 0.9),
        "village_committee_opinion": "satisfied",
    }
    assert (
        "职责分离"
        in both.post(f"/api/v1/tasks/{town_task['id']}/complete", {"data": town_data}, expect=403)["message"]
    )

    # An account linked to an officer may not appraise that officer.
    with ctx.database.reading() as session:
        other = session.scalars(
            select(OfficerModel)
            .where(OfficerModel.id != officer, OfficerModel.town == "gushan")
            .order_by(OfficerModel.id)
        ).first()
        assert other is not None
    own = new_user(users, "officer_self", ["town_gov:gushan"], officer_id=other.id)
    # The officer's own account does not even see the task (tests/api/test_segregation.py).
    gov = users["gushan_gov"]
    own_task = next(
        t for t in tasks_of(gov, "town_gov:gushan", "town_score") if officer_of(gov, t) == other.id
    )
    assert (
        "本人"
        in own.post(f"/api/v1/tasks/{own_task['id']}/complete", {"data": town_data}, expect=403)["message"]
    )
    users["gushan_gov"].post(f"/api/v1/tasks/{own_task['id']}/complete", {"data": town_data})


def test_heads_reassign_within_their_department(users: dict[str, User], ctx: ServiceContext) -> None:
    start_recruitment(users["bureau"])
    task = the_task(users["bureau"], "police_bureau", "draft_plan")
    users["bureau"].post(
        f"/api/v1/tasks/{task['id']}/reassign", {"username": "bureau", "reason": "人员调整"}, expect=403
    )
    users["bureau_head"].post(
        f"/api/v1/tasks/{task['id']}/reassign", {"username": "party", "reason": "人员调整"}, expect=422
    )
    moved = users["bureau_head"].post(
        f"/api/v1/tasks/{task['id']}/reassign", {"username": "bureau", "reason": "人员调整"}
    )
    assert moved["claimed_by"] == "bureau" and moved["state"] == "claimed"
    with ctx.database.reading() as session:
        event = session.scalars(
            select(AuditEventModel).where(AuditEventModel.action == "task_reassigned")
        ).one()
        assert event.actor == "bureau_head" and event.payload["to_user"] == "bureau"


def test_a_retired_definition_starts_nothing_new(users: dict[str, User]) -> None:
    designer = users["designer"]
    definition = next(d for d in designer.get("/api/v1/definitions") if d["process_id"] == "recruitment")
    designer.post(f"/api/v1/definitions/{definition['id']}/retire")
    designer.post(f"/api/v1/definitions/{definition['id']}/retire", expect=409)
    users["bureau"].post("/api/v1/instances", {"process_id": "recruitment"}, expect=404)
