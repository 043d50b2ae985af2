"""Accounts: login (slowed down on failures), logout, own tokens and language. The administrator's
actions on users and tokens are in service/usecases/admin (users.py, tokens.py).

No password or token ever goes into the audit log: events name the user and what changed, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import ApiTokenModel, UserModel
from service.usecases import login_throttle
from service.usecases.admin.account_rules import find_user
from service.usecases.directory import Caller, caller_of, hash_token, issue_token, token_entry
from service.usecases.errors import ConflictError, NotFoundError, UnauthenticatedError
from service.usecases.login_throttle import LoginThrottledError
from service.usecases.passwords import verify_password

# Kept for callers that catch the old name; the refusal is now a slowdown, not a lock.
TooManyAttemptsError = LoginThrottledError
USERNAME_MAX = 64  # the users.username column


def login(ctx: ServiceContext, username: str, password: str, remote_addr: str) -> dict[str, Any]:
    """Check a password and issue a bearer token for AUXPOLICE_LOGIN_TOKEN_HOURS (the API's login)."""
    result: dict[str, Any] = {}

    def issue(session: Session, user: UserModel, now: datetime) -> dict[str, Any]:
        lifetime = timedelta(hours=ctx.settings.login_token_hours)
        token, row = issue_token(ctx, session, user, "login", lifetime=lifetime)
        audit.record(session, now, user.username, "login", remote_addr=remote_addr, token_id=row.id)
        result.update(token=token, expires_at=row.expires_at, user=caller_of(session, user))
        return result

    _check_password(ctx, username, password, remote_addr, issue)
    return result


def web_login(ctx: ServiceContext, username: str, password: str, remote_addr: str) -> Caller:
    """Check a password for a browser session: no bearer token is issued, the session holds the user."""
    signed_in: list[Caller] = []

    def record(session: Session, user: UserModel, now: datetime) -> None:
        audit.record(session, now, user.username, "login", remote_addr=remote_addr, channel="web")
        signed_in.append(caller_of(session, user))

    _check_password(ctx, username, password, remote_addr, record)
    return signed_in[0]


def _check_password(
    ctx: ServiceContext,
    username: str,
    password: str,
    remote_addr: str,
    on_success: Callable[[Session, UserModel, datetime], Any],
) -> None:
    """Verify a login, slowed down by recent failures (service/usecases/login_throttle.py).

    A failure or a throttled try is committed (counted, audited) before the refusal is raised. The
    password hash (argon2, slow on purpose) is checked between a read and the write, never inside a write
    transaction: on SQLite that would hold every other writer back while it runs.
    """
    now = ctx.clock.now()
    # A name no account can have (too long for the column, a NUL) is an unknown user, counted under a
    # form the table can hold.
    possible = len(username) <= USERNAME_MAX and "\x00" not in username
    counted_as = username.replace("\x00", "")[:USERNAME_MAX]
    source = remote_addr[:64]
    password_hash: str | None = None
    user_id: int | None = None
    with ctx.database.reading() as session:
        held = login_throttle.throttle(session, ctx.settings, now, counted_as, source)
        if held is None and possible:
            found = session.execute(
                select(UserModel.id, UserModel.password_hash).where(
                    UserModel.username == username, UserModel.is_active.is_(True)
                )
            ).first()
            if found is not None:
                user_id, password_hash = found.id, found.password_hash
    if held is not None:
        with ctx.database.transaction() as session:
            audit.record(
                session,
                now,
                counted_as,
                "login_throttled",
                remote_addr=source,
                throttled_by=held.key,
                retry_after=held.retry_after,
            )
        raise LoginThrottledError(held.retry_after)
    # Verified even for an unknown user (against a dummy hash), so timing tells nothing about the account.
    valid = verify_password(password_hash, password) and user_id is not None
    with ctx.database.transaction() as session:
        user = session.get(UserModel, user_id) if valid and user_id is not None else None
        if user is not None and user.is_active and user.password_hash == password_hash:
            login_throttle.forget_failures(session, now, ctx.settings, counted_as, source)
            on_success(session, user, now)
            return
        login_throttle.record_failure(session, now, counted_as, source)
        audit.record(session, now, counted_as, "login_failed", remote_addr=source)
    raise UnauthenticatedError("用户名或密码错误")


def logout(ctx: ServiceContext, caller: Caller, token: str) -> None:
    """Revoke the token the caller is using."""
    with ctx.database.transaction() as session:
        row = session.scalars(
            select(ApiTokenModel).where(ApiTokenModel.token_hash == hash_token(token))
        ).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = ctx.clock.now()
            audit.record(session, row.revoked_at, caller.username, "logout", token_id=row.id)


def web_logout(ctx: ServiceContext, caller: Caller) -> None:
    """Record that a browser session was signed out (the session itself is dropped by the web layer)."""
    with ctx.database.transaction() as session:
        audit.record(session, ctx.clock.now(), caller.username, "logout", channel="web")


def own_tokens(ctx: ServiceContext, caller: Caller, current_token: str | None) -> list[dict[str, Any]]:
    """The caller's tokens, newest first, with their state; the clear text is never kept, so never shown."""
    now = ctx.clock.now()
    current_hash = hash_token(current_token) if current_token else None
    with ctx.database.reading() as session:
        rows = session.scalars(
            select(ApiTokenModel)
            .where(ApiTokenModel.user_id == caller.user_id)
            .order_by(ApiTokenModel.id.desc())
        ).all()
        return [{**token_entry(row, now), "current": row.token_hash == current_hash} for row in rows]


def revoke_own_token(ctx: ServiceContext, caller: Caller, token_id: int) -> None:
    """Revoke one of the caller's own tokens; another user's token is "not found", as it is not theirs."""
    with ctx.database.transaction() as session:
        row = session.get(ApiTokenModel, token_id)
        if row is None or row.user_id != caller.user_id:
            raise NotFoundError("令牌 {token_id} 不存在", token_id=token_id)
        if row.revoked_at is not None:
            raise ConflictError("该令牌已被吊销")
        row.revoked_at = ctx.clock.now()
        audit.record(session, row.revoked_at, caller.username, "token_revoked", token_id=row.id, own=True)


def set_language(ctx: ServiceContext, caller: Caller, language: str) -> None:
    with ctx.database.transaction() as session:
        user = find_user(session, caller.user_id)
        user.language = language
        audit.record(session, ctx.clock.now(), caller.username, "language_changed", language=language)
