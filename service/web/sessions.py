"""Browser sessions kept on the server: the cookie holds a random id, the ``web_sessions`` table the rest.

Why not Flask-Session: its SQLAlchemy backend needs a Flask-SQLAlchemy ``SQLAlchemy`` object (its model
and scoped session) while the service has its own ``Database`` (one use case, one transaction, the
test clock), and it has no absolute timeout. This is one small SessionInterface over that Database.

- The id is 256 random bits; only its SHA-256 is stored, so a copy of the database signs nobody in.
- A session ends when idle longer than AUXPOLICE_SESSION_IDLE_MINUTES, or older than
  AUXPOLICE_SESSION_MAX_HOURS however busy; the test clock (``ctx.clock``) decides both.
- Signing in or out gives a new id (``rotate``), so an id planted before login is worth nothing after.
- The cookie is HttpOnly, SameSite=Lax, and Secure unless the settings say otherwise (the embedded
  demo over plain HTTP); it has no expiry of its own: the server decides when it ends.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, or_, update
from werkzeug.datastructures import CallbackDict
from werkzeug.wrappers import Response

from service.context import ServiceContext
from service.persistence.models import WebSessionModel

# A busy session's last-seen time is written at most this often: not one write per page view.
TOUCH_EVERY = timedelta(seconds=60)
_SERIALIZER = TaggedJSONSerializer()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's data; ``rotate()`` asks for a new id when it is saved (sign-in, sign-out)."""

    def __init__(self, data: dict[str, Any] | None = None, session_id: str | None = None) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.session_id = session_id
        self.modified = False
        self.rotated = False
        self.touch = False

    def rotate(self) -> None:
        self.rotated = True
        self.modified = True


class ServerSessionInterface(SessionInterface):
    # The service context is read from the app at each request, never kept here: it is the app's.

    @staticmethod
    def _limits(ctx: ServiceContext) -> tuple[timedelta, timedelta]:
        settings = ctx.settings
        return timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_max_hours)

    def _alive(self, ctx: ServiceContext, row: WebSessionModel, now: datetime) -> bool:
        idle, absolute = self._limits(ctx)
        return row.last_seen_at + idle > now and row.created_at + absolute > now

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        session_id = request.cookies.get(self.get_cookie_name(app))
        if not session_id or len(session_id) > 128:
            return ServerSession()
        ctx: ServiceContext = app.extensions["auxpolice"]
        now = ctx.clock.now()
        with ctx.database.reading() as db:
            row = db.get(WebSessionModel, _hash(session_id))
            if row is None or not self._alive(ctx, row, now):
                # Unknown or timed out: start afresh (the dead row is swept when a new one is written).
                return ServerSession()
            session = ServerSession(_SERIALIZER.loads(row.data), session_id)
            session.touch = row.last_seen_at + TOUCH_EVERY <= now
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)  # noqa: S101 - open_session made it
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        ctx: ServiceContext = app.extensions["auxpolice"]
        now = ctx.clock.now()
        if not session:
            if session.session_id is not None:
                with ctx.database.transaction() as db:
                    db.execute(
                        delete(WebSessionModel).where(WebSessionModel.id_hash == _hash(session.session_id))
                    )
                response.delete_cookie(
                    name, domain=domain, path=path, secure=self.get_cookie_secure(app), httponly=True
                )
            return
        if session.session_id is not None and not session.modified and not session.rotated:
            if session.touch:
                with ctx.database.transaction() as db:
                    db.execute(
                        update(WebSessionModel)
                        .where(WebSessionModel.id_hash == _hash(session.session_id))
                        .values(last_seen_at=now)
                    )
            return
        data = _SERIALIZER.dumps(dict(session))
        user_id = session.get("user_id")
        with ctx.database.transaction() as db:
            if session.session_id is not None and not session.rotated:
                db.execute(
                    update(WebSessionModel)
                    .where(WebSessionModel.id_hash == _hash(session.session_id))
                    .values(data=data, user_id=user_id, last_seen_at=now)
                )
                return
            if session.session_id is not None:
                db.execute(
                    delete(WebSessionModel).where(WebSessionModel.id_hash == _hash(session.session_id))
                )
            idle, absolute = self._limits(ctx)
            db.execute(
                delete(WebSessionModel).where(
                    or_(
                        WebSessionModel.last_seen_at <= now - idle,
                        WebSessionModel.created_at <= now - absolute,
                    )
                )
            )
            session.session_id = secrets.token_urlsafe(32)
            db.add(
                WebSessionModel(
                    id_hash=_hash(session.session_id),
                    user_id=user_id,
                    data=data,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        response.set_cookie(
            name,
            session.session_id,
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite="Lax",
        )
        response.vary.add("Cookie")
