"""Web pages for department staff and auditors: Chinese first, English second, no build step in the browser.

Pages call the same use cases as the API. A browser session holds the bearer token issued at login in a
signed, HttpOnly, SameSite cookie; every form carries a CSRF token (Flask-WTF).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

from service.context import ERROR_PAGE, ServiceContext
from service.usecases import accounts
from service.usecases.directory import Caller, authenticate
from service.usecases.errors import ServiceError

F = TypeVar("F", bound=Callable[..., Any])
LANGUAGES = {"zh-CN": "zh", "en": "en"}
bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web"
)
csrf = CSRFProtect()


def context() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


def current_user() -> Caller | None:
    if "web_user" not in g:
        token = session.get("token")
        try:
            g.web_user = authenticate(context(), token) if token else None
        except ServiceError:
            session.clear()
            g.web_user = None
    return g.web_user  # type: ignore[no-any-return]


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("web.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def user() -> Caller:
    caller = current_user()
    assert caller is not None  # noqa: S101 - guarded by login_required
    return caller


def language() -> str:
    """The interface language: the session's choice, else the user's saved one, else Chinese."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    caller = current_user() if session.get("token") else None
    return caller.language if caller and caller.language in LANGUAGES else "zh-CN"


def _secret_key(app: Flask) -> str:
    configured = app.config.get("SECRET_KEY")
    if configured:
        return str(configured)
    # The embedded demo keeps a generated key next to its database so sessions survive a restart.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_web(app: Flask) -> None:
    app.config["SECRET_KEY"] = _secret_key(app)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", app.config.get("COOKIE_SECURE", True))
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parents[1] / "translations")
    )
    Babel(app, locale_selector=lambda: LANGUAGES[language()])
    csrf.init_app(app)
    from service.web import (
        audit_pages,
        dashboard_pages,
        display,
        excel_pages,
        incident_pages,
        instance_pages,
        pages,
        tasks_pages,
    )

    # Imported for the routes they add to ``bp``.
    del audit_pages, dashboard_pages, display, excel_pages, incident_pages
    del instance_pages, pages, tasks_pages
    app.register_blueprint(bp)

    def error_page(_status: int, message: str, message_en: str) -> str:
        return render_template("error.html", message=message_en if language() == "en" else message)

    app.extensions[ERROR_PAGE] = error_page

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        return render_template("error.html", message=_("页面已过期，请刷新后重试")), 400

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_user": current_user() if session.get("token") else None, "lang": language()}


@bp.get("/login")
def login() -> str:
    return render_template("login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    username = request.form.get("username", "").strip()
    try:
        result = accounts.login(
            context(), username, request.form.get("password", ""), request.remote_addr or ""
        )
    except ServiceError as error:
        return render_template("login.html", error=refusal(error), username=username), error.status
    session.clear()
    session["token"] = result["token"]
    session["lang"] = result["user"].language
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.home"))


@bp.post("/logout")
def logout() -> Response:
    caller, token = current_user(), session.get("token")
    if caller is not None and token:
        accounts.logout(context(), caller, token)
    session.clear()
    return redirect(url_for("web.login"))


@bp.post("/language")
def switch_language() -> Response:
    chosen = request.form.get("lang", "zh-CN")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        caller = current_user()
        if caller is not None:
            accounts.set_language(context(), caller, chosen)
    target = request.form.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.home"))


def page_number() -> int:
    """The ``page`` query argument, 1 when missing or not a number."""
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def refusal(error: ServiceError) -> str:
    """A use case's refusal in the interface language."""
    return error.message_in(language())


def flash_error(error: ServiceError) -> None:
    flash(refusal(error), "error")
