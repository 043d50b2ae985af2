"""Issue 12, sessions and headers: the browser session lives on the server (the cookie is its random id,
never a bearer token), the cookie is Secure/HttpOnly/SameSite=Lax, idle and absolute timeouts end it,
an administrator's change ends it, every answer carries the security headers with no inline script
allowed, login slows down instead of locking, and ``next`` only ever leads to this site."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import create_app
from service.config import Settings
from service.context import ServiceContext
from service.persistence.models import ApiTokenModel, AuditEventModel, WebSessionModel
from service.web import safe_next
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.api.test_identity import user_id
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "web" / "templates"
COOKIE = "session"


def set_cookie(response: object) -> str:
    headers = [value for name, value in response.headers if name == "Set-Cookie"]  # type: ignore[attr-defined]
    found = [value for value in headers if value.startswith(f"{COOKIE}=")]
    assert found, headers
    return found[-1]


def session_id(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 200


def sign_in(client: FlaskClient, username: str, next_path: str = "", source: str = "127.0.0.1") -> object:
    token = csrf(client, "/login")
    return client.post(
        "/login",
        data={"username": username, "password": f"pw-{username}", "csrf_token": token, "next": next_path},
        environ_base={"REMOTE_ADDR": source},
    )


@pytest.fixture
def secure_app(app: Flask, database_url: str, clock: ManualClock) -> Iterator[Flask]:
    """The service as deployed (Secure cookies), on the same database as ``app``."""
    other = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret", "COOKIE_SECURE": True},
        clock=clock,
    )
    yield other
    other.extensions["auxpolice"].database.dispose()


def test_the_cookie_is_secure_httponly_lax_and_a_new_id_at_sign_in(secure_app: Flask) -> None:
    client = secure_app.test_client()
    before = set_cookie(client.get("/login"))  # the login form's CSRF token opens a session
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in before.split("; "), before
    anonymous = session_id(client)
    after = set_cookie(sign_in(client, "bureau"))
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(after.split("; "))
    assert session_id(client) != anonymous, "the id planted before sign-in must not be the signed-in one"
    assert signed_in(client)


def test_the_demo_cookie_is_not_secure_and_the_setting_follows_the_environment(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = set_cookie(app.test_client().get("/login"))  # the tests' app is the plain-HTTP set-up
    assert "Secure" not in cookie.split("; ") and "HttpOnly" in cookie.split("; ")
    monkeypatch.delenv("AUXPOLICE_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings().cookie_secure is False  # the embedded demo: `auxpolice serve` over plain HTTP
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/auxpolice")
    assert Settings().cookie_secure is True  # a deployment: on by default
    monkeypatch.setenv("AUXPOLICE_COOKIE_SECURE", "0")
    assert Settings().cookie_secure is False


def test_the_cookie_is_a_session_id_not_a_bearer_token(app: Flask, ctx: ServiceContext) -> None:
    with ctx.database.reading() as session:
        tokens_before = session.scalar(select(func.count()).select_from(ApiTokenModel))
    client = web_login(app, "bureau")
    value = session_id(client)
    assert value
    with ctx.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(ApiTokenModel)) == tokens_before
        stored = session.scalars(select(WebSessionModel).where(WebSessionModel.user_id.is_not(None))).all()
    assert [row.id_hash for row in stored] == [hashlib.sha256(value.encode()).hexdigest()]
    assert value not in stored[0].data
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
    assert api.status_code == 401
    with ctx.database.reading() as session:
        logged = [(e.action, e.payload) for e in session.scalars(select(AuditEventModel))]
    assert ("login", {"remote_addr": "127.0.0.1", "channel": "web"}) in logged
    assert value not in str(logged)  # the session id is a credential: never in the audit log


def test_idle_and_absolute_timeouts_end_the_session(app: Flask, clock: ManualClock) -> None:
    client = web_login(app, "bureau")
    clock.advance(timedelta(minutes=29))
    assert signed_in(client)
    clock.advance(timedelta(minutes=29))  # busy: each visit restarts the idle time
    assert signed_in(client)
    clock.advance(timedelta(minutes=31))
    landed = client.get("/")
    assert landed.status_code == 302 and landed.headers["Location"].startswith("/login")

    busy = web_login(app, "bureau")
    for _ in range(int(12 * 60 / 25)):
        clock.advance(timedelta(minutes=25))
        assert signed_in(busy)
    clock.advance(timedelta(minutes=25))  # past 12 hours since sign-in, however busy
    assert not signed_in(busy)


def test_sign_out_ends_the_session_on_the_server(app: Flask, ctx: ServiceContext) -> None:
    client = web_login(app, "bureau")
    old = session_id(client)
    assert old is not None
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    replay = app.test_client()
    replay.set_cookie(COOKIE, old)
    assert not signed_in(replay), "a copied cookie must not outlive sign-out"
    with ctx.database.reading() as session:
        logout = session.scalars(select(AuditEventModel).where(AuditEventModel.action == "logout")).all()
    assert [(e.actor, e.payload.get("channel")) for e in logout] == [("bureau", "web")]


def test_deactivation_and_a_password_change_end_web_sessions(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    admin = users["admin"]
    for change, username in (({"is_active": False}, "party"), ({"password": "another-horse-10"}, "finance")):
        client = web_login(app, username)
        assert signed_in(client)
        response = admin.client.patch(
            f"/api/v1/admin/users/{user_id(ctx, username)}", json=change, headers=admin._headers()
        )
        assert response.status_code == 200
        assert not signed_in(client), change


def test_security_headers_on_pages_error_pages_and_static_files(app: Flask) -> None:
    client = web_login(app, "bureau")
    answers = {
        "page": client.get("/"),
        "login": app.test_client().get("/login"),
        "error page": client.get("/instances/999999"),
        "missing": client.get("/no/such/page"),
        "static": client.get("/static/web/app.css"),
    }
    assert answers["error page"].status_code == 404 and answers["error page"].mimetype == "text/html"
    for name, response in answers.items():
        policy = response.headers.get("Content-Security-Policy", "")
        script = next(part for part in policy.split("; ") if part.startswith("script-src"))
        assert script == "script-src 'self'", (name, policy)
        assert "frame-ancestors 'none'" in policy, name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        response.close()


def test_no_template_has_an_inline_script() -> None:
    """With script-src 'self' an inline script would not run: every script is a file (data blocks are
    JSON, which the browser never runs)."""
    offenders = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        if re.search(r"\son[a-z]+=\"", template.read_text(encoding="utf-8")):
            offenders.append(f"{template.name}: inline event handler")
    assert offenders == []


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/queues/police_bureau?page=2", True),
        ("/", True),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("/\\/evil.example", False),
        ("https://evil.example/", False),
        ("https:evil.example", False),
        ("javascript:alert(1)", False),
        ("/\tevil", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_next_keeps_only_local_paths(target: str | None, kept: bool) -> None:
    assert safe_next(target, "/home") == (target if kept else "/home")


def test_next_fields_never_lead_off_the_site(app: Flask, users: dict[str, User]) -> None:
    client = app.test_client()
    assert sign_in(client, "bureau", "//evil.example/").headers["Location"] == "/"  # type: ignore[attr-defined]
    kept = sign_in(app.test_client(), "bureau", "/queues/police_bureau")
    assert kept.headers["Location"] == "/queues/police_bureau"  # type: ignore[attr-defined]
    login_page = app.test_client().get("/login?next=//evil.example/").get_data(as_text=True)
    nexts = re.findall(r'name="next" value="([^"]*)"', login_page)
    assert "" in nexts and not any(value.startswith("//") for value in nexts), nexts

    switched = client.post(
        "/language", data={"lang": "en", "next": "https://evil.example/", "csrf_token": csrf(client, "/")}
    )
    assert switched.headers["Location"] == "/"

    start_recruitment(users["bureau"])
    task_id = the_task(users["bureau"], "police_bureau", "draft_plan")["id"]
    users["bureau"].post(f"/api/v1/tasks/{task_id}/claim")
    for evil in ("//evil.example/", "/\\evil.example"):
        released = client.post(
            f"/tasks/{task_id}/release", data={"next": evil, "csrf_token": csrf(client, "/")}
        )
        assert released.status_code == 302 and released.headers["Location"] == f"/tasks/{task_id}", evil
        users["bureau"].post(f"/api/v1/tasks/{task_id}/claim")
    # A refused action goes back too, never to the form's next: bureau_head cannot release bureau's claim.
    head = web_login(app, "bureau_head")
    refused = head.post(
        f"/tasks/{task_id}/release", data={"next": "/\\evil.example", "csrf_token": csrf(head, "/")}
    )
    assert refused.status_code == 302 and "evil" not in refused.headers["Location"]


def test_web_login_slows_down_with_retry_after_in_the_persons_language(app: Flask) -> None:
    client = app.test_client()
    for _ in range(5):
        token = csrf(client, "/login")
        wrong = client.post("/login", data={"username": "party", "password": "guess", "csrf_token": token})
        assert wrong.status_code == 401
    held = client.post(
        "/login", data={"username": "party", "password": "pw-party", "csrf_token": csrf(client, "/login")}
    )
    assert held.status_code == 429 and held.headers["Retry-After"] == "1"
    assert "登录失败次数过多，请 1 秒后再试" in held.get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf(client, "/login")})
    english = client.post(
        "/login", data={"username": "party", "password": "pw-party", "csrf_token": csrf(client, "/login")}
    )
    assert (
        english.status_code == 429
        and "Too many failed logins; try again in 1 seconds" in english.get_data(as_text=True)
    )
    # Someone else at another desk is not held up.
    other = sign_in(app.test_client(), "party", source="10.20.30.40")
    assert other.status_code == 302  # type: ignore[attr-defined]


def test_an_overlong_username_is_a_wrong_password_page(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "x" * 65, "password": "guess", "csrf_token": csrf(client, "/login")}
    )
    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
