"""Issue 12, accounts: tokens expire, die on a password change, deactivation or a right taken away and
stay dead on reactivation; a user lists and revokes their own tokens; login slows down instead of
locking, so an attacker cannot keep the victim out; the security headers are on API answers too.

Run on SQLite and PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import create_app
from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases import accounts
from service.usecases.errors import UnauthenticatedError
from tests.api.test_identity import bearer, user_id
from tests.conftest import User, token_of
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock

PASSWORD = "correct-horse-9"


def events(ctx: ServiceContext, action: str) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        query = select(AuditEventModel).where(AuditEventModel.action == action).order_by(AuditEventModel.id)
        return [{"actor": e.actor, **e.payload} for e in session.scalars(query)]


def login(client: FlaskClient, username: str, password: str, source: str = "10.0.0.1") -> Any:
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": source},
    )


def new_user(admin: User, username: str, **extra: Any) -> dict[str, Any]:
    body = {
        "username": username,
        "display_name": username,
        "departments": ["police_bureau"],
        "password": PASSWORD,
        **extra,
    }
    return admin.post("/api/v1/admin/users", body, expect=201)  # type: ignore[no-any-return]


def patch_user(admin: User, user: int, body: dict[str, Any]) -> Any:
    response = admin.client.patch(f"/api/v1/admin/users/{user}", json=body, headers=admin._headers())
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def alive(app: Flask, token: str) -> bool:
    return bool(bearer(app, token).status_code == 200)


@pytest.fixture
def strict(app: Flask, database_url: str, clock: ManualClock) -> Iterator[Flask]:
    """A second service process on the same database, with small login allowances and a short cap."""
    other = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "COOKIE_SECURE": False,
            "LOGIN_FREE_FAILURES": 2,
            "LOGIN_BACKOFF_MAX_SECONDS": 3,
            "LOGIN_TOKEN_HOURS": 1,
        },
        clock=clock,
    )
    yield other
    other.extensions["auxpolice"].database.dispose()


def test_a_password_change_kills_every_token_of_the_user(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    created = new_user(admin, "temp_pw")
    signed_in = login(app.test_client(), "temp_pw", PASSWORD).get_json()["token"]
    assert alive(app, created["token"]) and alive(app, signed_in)
    patch_user(admin, created["user"]["user_id"], {"password": "another-horse-10"})
    for token in (created["token"], signed_in):
        refused = bearer(app, token)
        assert refused.status_code == 401 and "吊销" in refused.get_json()["message"]
    updated = events(ctx, "user_updated")[-1]
    assert updated["username"] == "temp_pw" and len(updated["tokens_revoked"]) == 2
    assert "another-horse-10" not in str(updated)


def test_deactivation_kills_tokens_and_reactivation_does_not_revive_them(
    app: Flask, users: dict[str, User]
) -> None:
    admin = users["admin"]
    created = new_user(admin, "temp_off")
    user = created["user"]["user_id"]
    patch_user(admin, user, {"is_active": False})
    assert not alive(app, created["token"])
    assert login(app.test_client(), "temp_off", PASSWORD).status_code == 401
    patch_user(admin, user, {"is_active": True})
    assert not alive(app, created["token"]), "reactivation revived an old token"
    fresh = login(app.test_client(), "temp_off", PASSWORD, source="10.0.0.2").get_json()["token"]
    assert alive(app, fresh)


def test_taking_a_role_or_a_department_away_kills_tokens_giving_one_does_not(
    app: Flask, users: dict[str, User]
) -> None:
    admin = users["admin"]
    created = new_user(admin, "temp_role", roles=["auditor"])
    user = created["user"]["user_id"]
    patch_user(admin, user, {"roles": ["auditor", "designer"]})
    assert alive(app, created["token"]), "a role given must not sign the user out"
    patch_user(admin, user, {"roles": ["designer"]})
    assert not alive(app, created["token"])

    second = admin.post(f"/api/v1/admin/users/{user}/tokens", {"name": "脚本"}, expect=201)
    assert alive(app, second["token"])
    patch_user(admin, user, {"departments": []})
    assert not alive(app, second["token"])


def test_tokens_expire_after_their_configured_lifetime(
    app: Flask, strict: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    admin = users["admin"]
    party = user_id(ctx, "party")
    # Issued without days: AUXPOLICE_TOKEN_DAYS (30); beyond AUXPOLICE_TOKEN_MAX_DAYS (90): refused.
    issued = admin.post(f"/api/v1/admin/users/{party}/tokens", {"name": "默认"}, expect=201)
    lifetime = datetime.fromisoformat(issued["expires_at"]) - clock.now()
    assert lifetime == timedelta(days=30)
    too_long = admin.post(f"/api/v1/admin/users/{party}/tokens", {"name": "太长", "days": 91}, expect=422)
    assert "90" in too_long["message"] and too_long["errors"]["days"]

    # A login token lives AUXPOLICE_LOGIN_TOKEN_HOURS: 12 by default, 1 on the strict process.
    default = login(app.test_client(), "party", "pw-party").get_json()
    short = login(strict.test_client(), "party", "pw-party").get_json()
    assert datetime.fromisoformat(default["expires_at"]) - clock.now() == timedelta(hours=12)
    assert datetime.fromisoformat(short["expires_at"]) - clock.now() == timedelta(hours=1)
    clock.advance(timedelta(hours=1, seconds=1))
    expired = bearer(app, short["token"])
    assert expired.status_code == 401 and "过期" in expired.get_json()["message"]
    assert alive(app, default["token"])
    clock.advance(timedelta(hours=11))
    assert not alive(app, default["token"])


def test_a_user_lists_and_revokes_their_own_tokens(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    bureau, admin = users["bureau"], users["admin"]
    mine = bureau.get("/api/v1/me/tokens")
    assert [(t["name"], t["state"], t["current"]) for t in mine] == [("initial", "active", True)]
    assert all("token" not in t and "token_hash" not in t for t in mine)
    extra = admin.post(f"/api/v1/admin/users/{user_id(ctx, 'bureau')}/tokens", {"name": "笔记本"}, expect=201)
    listed = bureau.get("/api/v1/me/tokens")
    assert [(t["id"], t["current"]) for t in listed] == [(extra["id"], False), (mine[0]["id"], True)]

    bureau.post(f"/api/v1/me/tokens/{extra['id']}/revoke", expect=204)
    assert not alive(app, extra["token"])
    assert alive(app, token_of("bureau"))
    states = {t["id"]: t["state"] for t in bureau.get("/api/v1/me/tokens")}
    assert states == {extra["id"]: "revoked", mine[0]["id"]: "active"}
    again = bureau.post(f"/api/v1/me/tokens/{extra['id']}/revoke", expect=409)
    assert set(again) >= {"code", "status", "message", "message_en"}

    # Another person's token is not mine to see or revoke: "not found", and it keeps working.
    party_token = users["party"].get("/api/v1/me/tokens")[0]
    bureau.post(f"/api/v1/me/tokens/{party_token['id']}/revoke", expect=404)
    assert alive(app, token_of("party"))
    revoked = events(ctx, "token_revoked")
    assert [(e["actor"], e["token_id"]) for e in revoked] == [("bureau", extra["id"])]
    # Listing needs a token like any other call.
    assert app.test_client().get("/api/v1/me/tokens").status_code == 401


def test_failures_slow_down_the_source_not_the_victim_elsewhere(app: Flask, ctx: ServiceContext) -> None:
    attacker, victim = app.test_client(), app.test_client()
    for _ in range(5):
        assert login(attacker, "bureau", "guess", source="203.0.113.9").status_code == 401
    held = login(attacker, "bureau", "pw-bureau", source="203.0.113.9")
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    body = held.get_json()
    assert body["code"] == 429 and "秒后再试" in body["message"] and "try again in" in body["message_en"]
    # The real bureau at their own desk signs in at once: the failures were not theirs.
    assert login(victim, "bureau", "pw-bureau", source="10.1.2.3").status_code == 200
    assert login(attacker, "bureau", "guess", source="203.0.113.9").status_code == 429
    throttled = events(ctx, "login_throttled")
    assert throttled and all(e["actor"] == "bureau" for e in throttled)
    assert {(e["remote_addr"], e["throttled_by"]) for e in throttled} == {
        ("203.0.113.9", "username_and_source")
    }


def test_backoff_doubles_up_to_its_cap_and_then_lets_the_right_password_in(
    strict: Flask, clock: ManualClock
) -> None:
    client = strict.test_client()
    waits = []
    for _ in range(2):
        assert login(client, "party", "guess").status_code == 401
    for _ in range(3):
        held = login(client, "party", "guess")
        assert held.status_code == 429
        waits.append(int(held.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert login(client, "party", "guess").status_code == 401
    assert waits == [1, 2, 3]  # 1, 2, then 4 capped at 3 (LOGIN_BACKOFF_MAX_SECONDS)
    clock.advance(timedelta(seconds=3))
    assert login(client, "party", "pw-party").status_code == 200


def test_spraying_from_one_source_slows_that_source(strict: Flask, ctx: ServiceContext) -> None:
    client = strict.test_client()
    names = ["bureau", "party", "finance", "company", "designer", "auditor", "admin", "boyu_gov"]
    for name in names:  # one try each: no username-and-source key reaches its allowance of 2
        assert login(client, name, "Password1", source="198.51.100.4").status_code == 401
    held = login(client, "gushan_gov", "Password1", source="198.51.100.4")
    assert held.status_code == 429
    assert events(ctx, "login_throttled")[-1]["throttled_by"] == "source"
    assert login(client, "bureau", "pw-bureau", source="10.9.9.9").status_code == 200


def test_guessing_one_username_from_many_sources_slows_that_username_briefly(
    strict: Flask, ctx: ServiceContext, clock: ManualClock
) -> None:
    client = strict.test_client()
    for n in range(8):
        assert login(client, "finance", "guess", source=f"192.0.2.{n}").status_code == 401
    held = login(client, "finance", "pw-finance", source="10.7.7.7")
    assert held.status_code == 429 and held.headers["Retry-After"] == "1"
    assert events(ctx, "login_throttled")[-1]["throttled_by"] == "username"
    clock.advance(timedelta(seconds=1))
    assert login(client, "finance", "pw-finance", source="10.7.7.7").status_code == 200


def test_impossible_usernames_are_wrong_passwords_not_errors(app: Flask, ctx: ServiceContext) -> None:
    # At the edge a NUL may be refused by the schema (422); either way the one error shape, never a 500.
    nul = login(app.test_client(), "a\u0000b", "x")
    assert nul.status_code in (401, 422) and set(nul.get_json()) >= {"code", "message", "message_en"}
    # The use case itself (the web login calls it without a schema) takes them as unknown users.
    for username in ("a\x00b", "x" * 65):
        with pytest.raises(UnauthenticatedError):
            accounts.login(ctx, username, "guess", "10.3.3.3")
    assert [e["actor"] for e in events(ctx, "login_failed")][-2:] == ["ab", "x" * 64]


def test_security_headers_on_api_answers_and_errors(users: dict[str, User], app: Flask) -> None:
    client = app.test_client()
    for response in (
        client.get("/api/v1/me", headers=users["bureau"]._headers()),
        client.get("/api/v1/instances/999999", headers=users["bureau"]._headers()),
        client.get("/api/v1/me"),
        client.get("/api/openapi.json"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_behind_a_trusted_proxy_the_source_is_the_forwarded_address(
    app: Flask, database_url: str, clock: ManualClock
) -> None:
    proxied = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "s", "TRUSTED_PROXIES": 1}, clock=clock
    )
    try:
        client = proxied.test_client()

        def via_proxy(password: str, client_address: str) -> Any:
            return client.post(
                "/api/v1/auth/login",
                json={"username": "company", "password": password},
                headers={"X-Forwarded-For": client_address},
                environ_base={"REMOTE_ADDR": "10.0.0.254"},  # the proxy
            )

        for _ in range(5):
            assert via_proxy("guess", "203.0.113.50").status_code == 401
        assert via_proxy("pw-company", "203.0.113.50").status_code == 429
        assert via_proxy("pw-company", "198.51.100.23").status_code == 200
        throttled = events(proxied.extensions["auxpolice"], "login_throttled")
        assert [e["remote_addr"] for e in throttled] == ["203.0.113.50"]
    finally:
        proxied.extensions["auxpolice"].database.dispose()


def test_web_sessions_hold_on_both_databases(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    """The server-side session store on SQLite and PostgreSQL: sign-in, idle timeout, deactivation."""
    client = web_login(app, "gushan_gov")
    assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=31))
    assert client.get("/").status_code == 302
    client = web_login(app, "gushan_gov")
    assert client.get("/").status_code == 200
    patch_user(users["admin"], user_id(ctx, "gushan_gov"), {"is_active": False})
    assert client.get("/").status_code == 302
