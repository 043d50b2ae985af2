"""Web pages for department staff and auditors: Chinese first, English second, no build step in the browser.

Pages call the same use cases as the API. A browser session is kept on the server (service/web/sessions.py):
the cookie holds only its random id (Secure, HttpOnly, SameSite=Lax), never a bearer token; every form
carries a CSRF token (Flask-WTF). Every answer, page or API, carries the security headers below.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

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
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from service.api.fields import page_or_first
from service.context import ERROR_PAGE, ServiceContext
from service.usecases import accounts
from service.usecases.directory import Caller, caller_by_id
from service.usecases.errors import ServiceError
from service.usecases.login_throttle import LoginThrottledError
from service.web.sessions import ServerSession, ServerSessionInterface

F = TypeVar("F", bound=Callable[..., Any])
LANGUAGES = {"zh-CN": "zh", "en": "en"}
bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web"
)
csrf = CSRFProtect()


def context() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


def current_user() -> Caller | None:
    """The signed-in user of this browser session (None once deactivated or gone: the session ends)."""
    if "web_user" not in g:
        user_id = session.get("user_id")
        g.web_user = caller_by_id(context(), int(user_id)) if isinstance(user_id, int) else None
        if user_id is not None and g.web_user is None:
            session.clear()
    return g.web_user  # type: ignore[no-any-return]


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``: a form or query field must never send
    the browser elsewhere (``//evil.example/``, ``/\\evil.example`` and ``https:`` are all refused)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default  # browsers read a backslash as a slash, and drop tabs and newlines
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


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
    caller = current_user() if session.get("user_id") else None
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
    # Assigned, not setdefault: Flask defines these keys already (None/False), so setdefault did nothing.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(context_of(app).settings.cookie_secure)
    app.session_interface = ServerSessionInterface()
    app.after_request(_security_headers)
    proxies = context_of(app).settings.trusted_proxies
    if proxies:
        # The client's address (login slowdown, audit) and scheme as the trusted proxies saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parents[1] / "translations")
    )
    Babel(app, locale_selector=lambda: LANGUAGES[language()])
    csrf.init_app(app)
    from service.web import (
        admin_pages,
        admin_register_pages,
        application_pages,
        audit_pages,
        bulk_pages,
        case_notes_pages,
        dashboard_pages,
        definition_pages,
        display,
        draft_editor_pages,
        draft_new_files,
        draft_pages,
        excel_pages,
        field_report_entry_pages,
        import_pages,
        inbox_pages,
        incident_pages,
        instance_pages,
        migration_pages,
        notification_pages,
        pages,
        roster_pages,
        sandbox_pages,
        start_pages,
        tasks_pages,
        training_pages,
        version_pages,
        welfare_pages,
    )

    # Imported for the routes they add to ``bp``.
    del admin_pages, admin_register_pages, application_pages, audit_pages, dashboard_pages, display
    del excel_pages, incident_pages, instance_pages, pages, roster_pages, start_pages, tasks_pages
    del definition_pages
    del migration_pages
    del draft_editor_pages
    del draft_pages, draft_new_files
    del sandbox_pages
    del import_pages
    del case_notes_pages
    del inbox_pages
    del version_pages
    del training_pages
    del bulk_pages
    del notification_pages
    del field_report_entry_pages
    del welfare_pages
    app.register_blueprint(bp)

    def error_page(_status: int, message: str, message_en: str) -> str:
        return render_template("error.html", message=message_en if language() == "en" else message)

    app.extensions[ERROR_PAGE] = error_page

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        return render_template("error.html", message=_("页面已过期，请刷新后重试")), 400

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_user": current_user() if session.get("user_id") else None, "lang": language()}


def context_of(app: Flask) -> ServiceContext:
    return app.extensions["auxpolice"]  # type: ignore[no-any-return]


# No inline script anywhere (the pages' scripts are files under static/), so script-src is 'self' only;
# inline style attributes remain (bars' widths), which cannot run code. Nothing may frame the pages.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _security_headers(response: Response) -> Response:
    """On every answer, page, API or error: a few fixed headers, so no library (flask-talisman would also
    redirect to HTTPS and manage the cookie flags, which the proxy and the session interface do here)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.get("/login")
def login() -> str:
    return render_template("login.html", next=safe_next(request.args.get("next"), ""))


@bp.post("/login")
def login_post() -> Response | tuple[str, int, dict[str, str]]:
    username = request.form.get("username", "").strip()
    try:
        caller = accounts.web_login(
            context(), username, request.form.get("password", ""), request.remote_addr or ""
        )
    except ServiceError as error:
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, LoginThrottledError) else {}
        page = render_template(
            "login.html",
            error=refusal(error),
            username=username[:64],
            next=safe_next(request.form.get("next"), ""),
        )
        return page, error.status, headers
    session.clear()
    _rotate()
    session["user_id"] = caller.user_id
    session["lang"] = caller.language
    return redirect(safe_next(request.form.get("next"), url_for("web.home")))


def _rotate() -> None:
    # A new session id at sign-in and sign-out: an id someone planted or saw before is worth nothing.
    if isinstance(session, ServerSession):
        session.rotate()


@bp.post("/logout")
def logout() -> Response:
    caller = current_user()
    if caller is not None:
        accounts.web_logout(context(), caller)
    session.clear()
    _rotate()
    return redirect(url_for("web.login"))


@bp.post("/language")
def switch_language() -> Response:
    chosen = request.form.get("lang", "zh-CN")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        caller = current_user()
        if caller is not None:
            accounts.set_language(context(), caller, chosen)
    return redirect(safe_next(request.form.get("next"), url_for("web.home")))


def page_number() -> int:
    """The ``page`` query argument, 1 when missing or not a number (at most MAX_PAGE: past it the offset
    overflowed the database's 64 bits)."""
    return page_or_first(request.args.get("page"))


def refusal(error: ServiceError) -> str:
    """A use case's refusal in the interface language."""
    return error.message_in(language())


def flash_error(error: ServiceError) -> None:
    flash(refusal(error), "error")
