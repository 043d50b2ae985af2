"""No password, password hash or bearer token ever reaches the audit table."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import text

from service.context import ServiceContext
from tests.conftest import User, token_of

PASSWORD = "Zhen-Mi-Ma-2026!weihai"
NEW_USER_PASSWORD = "Xin-Yong-Hu-Mi-Ma-88"
WRONG = "Cuo-Wu-Mi-Ma-7731x"


def test_no_password_or_token_is_ever_audited(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    client = app.test_client()
    admin = {"Authorization": f"Bearer {token_of('admin')}"}
    ids = {u["username"]: u["user_id"] for u in users["admin"].get("/api/v1/admin/users")}
    response = client.patch(
        f"/api/v1/admin/users/{ids['bureau']}", json={"password": PASSWORD}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    created = client.post(
        "/api/v1/admin/users",
        json={
            "username": "clerk",
            "display_name": "新文员",
            "password": NEW_USER_PASSWORD,
            "departments": ["finance"],
        },
        headers=admin,
    ).get_json()
    issued = client.post(
        f"/api/v1/admin/users/{ids['bureau']}/tokens", json={"name": "script", "days": 7}, headers=admin
    ).get_json()

    failed = client.post("/api/v1/auth/login", json={"username": "bureau", "password": WRONG})
    assert failed.status_code == 401
    login = client.post("/api/v1/auth/login", json={"username": "bureau", "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    token = login.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["username"] == "bureau"
    assert client.get("/api/v1/audit/verify", headers=bearer).status_code == 403  # a refusal is audited
    assert client.post("/api/v1/auth/logout", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401  # revoked
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued['token']}x"})
    assert refused.status_code == 401

    with ctx.database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events ORDER BY id")).mappings().all()
    actions = [row["action"] for row in rows]
    for action in ("user_updated", "user_created", "token_issued", "login_failed", "login", "logout"):
        assert action in actions, action
    assert actions.count("action_refused") >= 3
    dumped = "\n".join(str(dict(row)) for row in rows)
    secrets: dict[str, Any] = {
        "password": PASSWORD,
        "new user's password": NEW_USER_PASSWORD,
        "wrong password": WRONG,
        "login token": token,
        "issued token": issued["token"],
        "new user's first token": created["token"],
        "demo bearer token": token_of("admin"),
        "password hash": "$argon2",
    }
    for what, secret in secrets.items():
        assert len(secret) >= 7 and secret not in dumped, what
    # What is recorded instead: that the password changed, and which token (by id) was used.
    changed = next(row for row in rows if row["action"] == "user_updated")
    assert "password_changed" in str(changed["payload"]) and changed["actor"] == "admin"
