"""Administration over HTTP (issue 13, point 6): users, departments, towns and the village register with
its history, on SQLite and PostgreSQL; every change audited with what it was before and after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, CampaignModel
from service.usecases.directory import register_villages, register_villages_on
from tests.api.recruitment_steps import approve_plan, start_recruitment
from tests.api.test_identity import bearer, user_id
from tests.conftest import User
from workflows.ports import ManualClock

PASSWORD = "Chu-Shi-Mi-Ma-2026"


def events(ctx: ServiceContext, action: str) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        query = select(AuditEventModel).where(AuditEventModel.action == action).order_by(AuditEventModel.id)
        return [{"actor": e.actor, **e.payload} for e in session.scalars(query)]


def login(client: FlaskClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def send(admin: User, method: str, url: str, body: Any = None, expect: int = 200) -> Any:
    response = admin.client.open(url, method=method, json=body, headers=admin._headers())
    assert response.status_code == expect, (url, response.status_code, response.get_json())
    return response.get_json()


def new_user(admin: User, username: str, **extra: Any) -> dict[str, Any]:
    body = {"username": username, "display_name": f"{username} 同志", "password": PASSWORD, **extra}
    return admin.post("/api/v1/admin/users", body, expect=201)  # type: ignore[no-any-return]


def test_an_admin_creates_a_user_by_the_password_policy_and_changes_memberships(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    weak = admin.post(
        "/api/v1/admin/users",
        {"username": "clerk2", "display_name": "文员", "password": "onlyletters", "departments": []},
        expect=422,
    )
    assert "字母和数字" in weak["message"] and "letters and digits" in weak["message_en"]
    assert weak["errors"]["password"]
    created = new_user(admin, "clerk2", departments=["finance"], heads_of=["finance"], roles=["auditor"])
    uid = created["user"]["user_id"]
    assert login(app.test_client(), "clerk2", PASSWORD).status_code == 200
    audited = events(ctx, "user_created")[-1]
    assert audited["before"] is None and audited["after"]["heads_of"] == ["finance"]

    detail = admin.get(f"/api/v1/admin/users/{uid}")
    assert detail["user"]["departments"] == ["finance"] and detail["user"]["heads_of"] == ["finance"]
    assert detail["user"]["is_active"] and detail["tokens"][0]["state"] == "active"
    listed = {row["username"]: row for row in admin.get("/api/v1/admin/users")}
    assert listed["clerk2"]["roles"] == ["auditor"] and listed["admin"]["is_active"]

    changed = send(
        admin,
        "PATCH",
        f"/api/v1/admin/users/{uid}",
        {
            "display_name": "文员 小周",
            "departments": ["finance", "party_affairs"],
            "heads_of": ["party_affairs"],
        },
    )
    assert changed["display_name"] == "文员 小周" and changed["heads_of"] == ["party_affairs"]
    event = events(ctx, "user_updated")[-1]
    assert event["before"]["heads_of"] == ["finance"] and event["after"]["heads_of"] == ["party_affairs"]
    assert event["before"]["display_name"] == "clerk2 同志" and event["after"]["display_name"] == "文员 小周"
    # The headship of finance was taken away: the first token is dead.
    assert bearer(app, created["token"]).status_code == 401
    unknown = send(admin, "PATCH", f"/api/v1/admin/users/{uid}", {"departments": ["nowhere"]}, expect=422)
    assert unknown["errors"]["departments"]


def test_deactivation_refuses_login_and_revokes_tokens_reactivation_revives_none(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    created = new_user(admin, "temp_off2", departments=["police_bureau"])
    uid = created["user"]["user_id"]
    signed_in = login(app.test_client(), "temp_off2", PASSWORD).get_json()["token"]
    assert bearer(app, signed_in).status_code == 200

    off = admin.post(f"/api/v1/admin/users/{uid}/deactivate", expect=200)
    assert off["is_active"] is False
    assert login(app.test_client(), "temp_off2", PASSWORD).status_code == 401
    assert bearer(app, signed_in).status_code == 401 and bearer(app, created["token"]).status_code == 401
    assert admin.post(f"/api/v1/admin/users/{uid}/deactivate", expect=409)["message"] == "该账号已停用"
    event = events(ctx, "user_deactivated")[-1]
    assert event["before"]["is_active"] is True and event["after"]["is_active"] is False
    assert len(event["tokens_revoked"]) == 2

    admin.post(f"/api/v1/admin/users/{uid}/reactivate", expect=200)
    assert bearer(app, signed_in).status_code == 401, "reactivation revived an old token"
    assert login(app.test_client(), "temp_off2", PASSWORD).status_code == 200


def test_a_password_reset_signs_the_user_out_and_tokens_can_be_revoked(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    created = new_user(admin, "temp_pw2", departments=["finance"])
    uid = created["user"]["user_id"]
    too_weak = admin.post(f"/api/v1/admin/users/{uid}/password", {"password": "short1"}, expect=422)
    assert "至少 10 个字符" in too_weak["message"]
    given = admin.post(f"/api/v1/admin/users/{uid}/password", {"password": "Xin-Mi-Ma-8899"})
    assert given["generated_password"] is None
    assert bearer(app, created["token"]).status_code == 401
    assert login(app.test_client(), "temp_pw2", PASSWORD).status_code == 401
    generated = admin.post(f"/api/v1/admin/users/{uid}/password", {})["generated_password"]
    assert len(generated) >= 10 and login(app.test_client(), "temp_pw2", generated).status_code == 200
    reset = events(ctx, "password_reset")[-1]
    assert reset["actor"] == "admin" and generated not in str(reset) and "Xin-Mi-Ma-8899" not in str(reset)

    fresh = login(app.test_client(), "temp_pw2", generated).get_json()["token"]
    revoked = admin.post(f"/api/v1/admin/users/{uid}/revoke-tokens")["revoked"]
    assert revoked and bearer(app, fresh).status_code == 401
    states = {token["state"] for token in admin.get(f"/api/v1/admin/users/{uid}")["tokens"]}
    assert states == {"revoked"}
    assert events(ctx, "tokens_revoked")[-1]["before"]["live_tokens"] == revoked


def test_the_last_admin_cannot_be_deactivated_or_lose_the_role(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    me = user_id(ctx, "admin")
    assert "自己" in admin.post(f"/api/v1/admin/users/{me}/deactivate", expect=409)["message"]
    refused = send(admin, "PATCH", f"/api/v1/admin/users/{me}", {"roles": ["auditor"]}, expect=409)
    assert "最后一位系统管理员" in refused["message"] and refused["message_en"]
    send(admin, "PATCH", f"/api/v1/admin/users/{me}", {"is_active": False}, expect=409)

    second = new_user(admin, "admin2", roles=["admin"])["user"]["user_id"]
    send(admin, "PATCH", f"/api/v1/admin/users/{me}", {"roles": ["admin", "auditor"]})
    admin.post(f"/api/v1/admin/users/{second}/deactivate")
    send(admin, "PATCH", f"/api/v1/admin/users/{me}", {"roles": ["auditor"]}, expect=409)
    assert "admin" in admin.get(f"/api/v1/admin/users/{me}")["user"]["roles"]


def test_departments_and_towns_are_created_checked_and_renamed(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    names = {"name_zh": "崮山派出所二", "name_en": "Gushan Station 2"}
    taken = admin.post(
        "/api/v1/admin/departments",
        {"code": "x", "kind": "police_station", "town": "gushan", **names},
        expect=409,
    )
    assert "police_station:gushan" in taken["message"]
    unknown_town = admin.post(
        "/api/v1/admin/departments", {"code": "x", "kind": "town_gov", "town": "qiaotou", **names}, expect=422
    )
    assert unknown_town["errors"]["town"]
    assert admin.post(
        "/api/v1/admin/towns", {"code": "qiaotou", "name_zh": "崮山镇", "name_en": "Q"}, expect=409
    )
    town = {"code": "qiaotou", "name_zh": "桥头镇", "name_en": "Qiaotou Town"}
    admin.post("/api/v1/admin/towns", town, expect=201)
    created = admin.post(
        "/api/v1/admin/departments",
        {
            "code": "ignored",
            "kind": "police_station",
            "town": "qiaotou",
            "name_zh": "桥头派出所",
            "name_en": "Q PS",
        },
        expect=201,
    )
    assert created["code"] == "police_station:qiaotou"
    assert events(ctx, "department_created")[-1]["after"]["town"] == "qiaotou"
    bad_kind = {"code": "archive", "kind": "archive", "name_zh": "档案室", "name_en": "Archive"}
    assert admin.post("/api/v1/admin/departments", bad_kind, expect=422)["errors"]["kind"]

    send(
        admin,
        "PATCH",
        "/api/v1/admin/departments/finance",
        {"name_zh": "财政局", "name_en": "Finance Office"},
    )
    renamed = events(ctx, "department_renamed")[-1]
    assert renamed["before"]["name_zh"] == "财政金融局" and renamed["after"]["name_zh"] == "财政局"
    send(admin, "PATCH", "/api/v1/admin/towns/qiaotou", {"name_zh": "桥头", "name_en": "Qiaotou"})
    assert events(ctx, "town_renamed")[-1]["before"]["name_zh"] == "桥头镇"
    listed = admin.get("/api/v1/admin/towns")
    assert {"code": "qiaotou", "name_zh": "桥头", "name_en": "Qiaotou"} in listed
    # In the register's order, as every page lists them: the shipped towns first, a new one after them.
    assert [t["code"] for t in listed] == ["gushan", "boyu", "qiaotou"]
    users["auditor"].post("/api/v1/admin/towns", town, expect=403)
    assert len(users["auditor"].get("/api/v1/admin/towns")) == 3


def test_a_village_is_entered_and_changed_from_a_date_and_the_register_keeps_its_history(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    """The clock reads 2026-11-26 in Beijing."""
    admin = users["admin"]
    before = admin.get("/api/v1/admin/villages")
    assert before["on"] == "2026-11-26" and before["total_posts"] == 46
    body = {
        "name_zh": "新港社区",
        "name_en": "Xingang Community",
        "town": "gushan",
        "kind": "community",
        "households": 1200,
        "effective_from": "2026-11-01",
        "reason": "新设社区",
    }
    assert admin.post("/api/v1/admin/villages", {**body, "effective_from": "2026-11-27"}, expect=422)
    assert admin.post("/api/v1/admin/villages", {**body, "name_zh": "皂埠社区"}, expect=409)
    assert admin.post("/api/v1/admin/villages", {**body, "town": "nowhere"}, expect=422)["errors"]["town"]
    created = admin.post("/api/v1/admin/villages", body, expect=201)
    code = created["code"]
    assert code.startswith("gushan-") and created["posts"] == 2 and created["effective_to"] is None
    assert events(ctx, "village_created")[-1]["after"]["posts"] == 2

    changed = admin.post(
        f"/api/v1/admin/villages/{code}/versions",
        {"households": 900, "effective_from": "2026-11-20", "reason": "户数核减"},
        expect=201,
    )
    assert changed["posts"] == 1 and changed["name_zh"] == "新港社区"
    event = events(ctx, "village_changed")[-1]
    assert event["before"]["households"] == 1200 and event["after"]["households"] == 900
    assert event["before"]["posts"] == 2 and event["after"]["posts"] == 1 and event["reason"] == "户数核减"

    history = admin.get(f"/api/v1/admin/villages/{code}")
    assert [(v["effective_from"], v["effective_to"], v["posts"]) for v in history] == [
        ("2026-11-20", None, 1),
        ("2026-11-01", "2026-11-20", 2),
    ]

    def posts_on(day: str) -> tuple[int, int | None]:
        register = admin.get(f"/api/v1/admin/villages?on={day}")
        mine = [v["posts"] for v in register["villages"] if v["code"] == code]
        return register["total_posts"], mine[0] if mine else None

    assert posts_on("2026-10-31") == (46, None)
    assert posts_on("2026-11-10") == (48, 2)  # a campaign planned that day had 2 posts here
    assert posts_on("2026-11-26") == (47, 1)

    # Not before the entry in force began; the same day corrects it instead of adding a version.
    early = admin.post(
        f"/api/v1/admin/villages/{code}/versions",
        {"households": 800, "effective_from": "2026-11-19"},
        expect=422,
    )
    assert early["errors"]["effective_from"]
    admin.post(
        f"/api/v1/admin/villages/{code}/versions",
        {"households": 950, "effective_from": "2026-11-20", "name_en": "Xingang"},
        expect=201,
    )
    assert len(admin.get(f"/api/v1/admin/villages/{code}")) == 2
    assert events(ctx, "village_changed")[-1]["correction"] is True
    nothing = {"households": 950, "effective_from": "2026-11-26"}
    assert admin.post(f"/api/v1/admin/villages/{code}/versions", nothing, expect=422)

    with ctx.database.reading() as session:
        current = {v.code: v for v in register_villages(session)}
        then = {v.code: v for v in register_villages_on(session, date(2026, 11, 10))}
    assert current[code].households == 950 and current[code].name_en == "Xingang"
    assert then[code].households == 1200
    users["auditor"].get(f"/api/v1/admin/villages/{code}")
    users["auditor"].post("/api/v1/admin/villages", body, expect=403)
    assert admin.get("/api/v1/admin/campaign-registers") == []


def test_a_village_of_a_town_with_a_long_code_gets_a_code_that_fits(users: dict[str, User]) -> None:
    admin = users["admin"]
    town = "a" + "b" * 31  # the longest town code: no room left for "-001" in the 32 characters
    admin.post("/api/v1/admin/towns", {"code": town, "name_zh": "长名镇", "name_en": "Long"}, expect=201)
    body = {"name_zh": "长名村", "name_en": "L", "town": town, "kind": "village", "households": 10}
    first = admin.post("/api/v1/admin/villages", body, expect=201)
    second = admin.post("/api/v1/admin/villages", {**body, "name_zh": "长名二村"}, expect=201)
    assert (first["code"], second["code"]) == ("v-001", "v-002") and first["effective_from"] == "2026-11-26"


def test_a_past_campaign_keeps_the_register_it_was_planned_with(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    start_recruitment(users["bureau"])
    approve_plan(users)
    clock.advance(timedelta(days=10))  # 2026-12-06 in Beijing
    admin = users["admin"]
    admin.post(
        "/api/v1/admin/villages/gs-c01/versions",
        {"households": 900, "effective_from": "2026-12-06", "reason": "户数核减"},
        expect=201,
    )
    [campaign] = admin.get("/api/v1/admin/campaign-registers")
    assert campaign["planned_on"] == "2026-11-26" and campaign["title"]
    then = admin.get(f"/api/v1/admin/villages?on={campaign['planned_on']}")
    now = admin.get("/api/v1/admin/villages")
    assert (then["total_posts"], now["total_posts"]) == (46, 45)
    with ctx.database.reading() as session:
        plan = session.scalars(select(CampaignModel.plan)).one()
    assert plan["total_quota"] == then["total_posts"]
