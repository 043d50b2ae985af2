"""Accounts: login (slowed down on failures), logout, own tokens, and the administrator's user, membership
and token actions.

No password or token ever goes into the audit log: events name the user and what changed, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    ApiTokenModel,
    DepartmentModel,
    MembershipModel,
    UserModel,
    WebSessionModel,
)
from service.usecases import login_throttle
from service.usecases.directory import (
    ROLES,
    Caller,
    caller_of,
    create_user,
    hash_token,
    issue_token,
    revoke_tokens_of,
)
from service.usecases.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from service.usecases.login_throttle import LoginThrottledError
from service.usecases.passwords import hash_password, password_problems, verify_password

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
        return [
            {
                "id": row.id,
                "name": row.name,
                "created_at": row.created_at,
                "expires_at": row.expires_at,
                "revoked_at": row.revoked_at,
                "state": "revoked"
                if row.revoked_at is not None
                else ("expired" if row.expires_at <= now else "active"),
                "current": row.token_hash == current_hash,
            }
            for row in rows
        ]


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
        user = _user(session, caller.user_id)
        user.language = language
        audit.record(session, ctx.clock.now(), caller.username, "language_changed", language=language)


def end_sessions_of(session: Session, user_id: int) -> int:
    """Sign a user out of every browser (their server-side sessions are deleted); return how many."""
    ended = session.execute(delete(WebSessionModel).where(WebSessionModel.user_id == user_id))
    return int(getattr(ended, "rowcount", 0) or 0)


def _user(session: Session, user_id: int) -> UserModel:
    user = session.get(UserModel, user_id)
    if user is None:
        raise NotFoundError("用户 {user_id} 不存在", user_id=user_id)
    return user


def _check_departments(session: Session, codes: list[str]) -> None:
    known = set(session.scalars(select(DepartmentModel.code).where(DepartmentModel.code.in_(codes))))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInputError(
            "部门不存在",
            errors={
                "departments": [
                    f"未知部门：{', '.join(unknown)}",
                    f"Unknown departments: {', '.join(unknown)}",
                ]
            },
        )


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInputError(
            "角色不存在",
            errors={"roles": [f"未知角色：{', '.join(unknown)}", f"Unknown roles: {', '.join(unknown)}"]},
        )


def check_password_policy(password: str, username: str) -> None:
    """Refuse a password an administrator sets that breaks the policy (service/usecases/passwords.py)."""
    problems = password_problems(password, username)
    if problems:
        raise InvalidInputError(
            "密码不符合要求：{problems}",
            errors={"password": [text for pair in problems for text in pair]},
            english="The password does not meet the policy: {problems_en}",
            problems="；".join(zh for zh, _en in problems),
            problems_en="; ".join(en for _zh, en in problems),
        )


def keep_an_admin(session: Session) -> None:
    """Refuse a change that leaves no active administrator: nobody could manage accounts any more."""
    session.flush()
    roles = session.scalars(select(UserModel.roles).where(UserModel.is_active.is_(True)))
    if not any("admin" in (granted or ()) for granted in roles):
        raise ConflictError("不能停用最后一位系统管理员或取消其管理员角色")


def list_users(ctx: ServiceContext) -> list[Caller]:
    with ctx.database.reading() as session:
        return [
            caller_of(session, user) for user in session.scalars(select(UserModel).order_by(UserModel.id))
        ]


def admin_create_user(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """Create a user with memberships, roles and a password; return the user and a first token."""
    with ctx.database.transaction() as session:
        if session.scalars(select(UserModel).where(UserModel.username == body["username"])).first():
            raise ConflictError("用户名 {username} 已存在", username=body["username"])
        _check_departments(session, body["departments"] + body["heads_of"])
        _check_roles(body["roles"])
        if body.get("password"):
            check_password_policy(body["password"], body["username"])
        user, token = create_user(
            ctx,
            session,
            body["username"],
            body["display_name"],
            body["departments"],
            heads_of=tuple(body["heads_of"]),
            roles=tuple(body["roles"]),
            password=body.get("password"),
        )
        user.officer_id = body.get("officer_id")
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_created",
            username=user.username,
            departments=body["departments"],
            heads_of=body["heads_of"],
            roles=body["roles"],
            password_set=bool(body.get("password")),
            before=None,
            after=account_snapshot(caller_of(session, user), True),
        )
        return {"user": caller_of(session, user), "token": token}


def admin_update_user(ctx: ServiceContext, admin: Caller, user_id: int, body: dict[str, Any]) -> Caller:
    """Change roles, memberships, activity or password of a user."""
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        before = caller_of(session, user)
        was_active = user.is_active
        changes: dict[str, Any] = {}
        if body.get("roles") is not None:
            _check_roles(body["roles"])
            user.roles = sorted(body["roles"])
            changes["roles"] = user.roles
        if body.get("departments") is not None:
            heads = body.get("heads_of") or []
            _check_departments(session, body["departments"] + heads)
            session.execute(delete(MembershipModel).where(MembershipModel.user_id == user.id))
            for code in body["departments"]:
                session.add(MembershipModel(user_id=user.id, department_code=code, is_head=code in heads))
            changes["departments"], changes["heads_of"] = body["departments"], heads
        if body.get("is_active") is not None:
            user.is_active = body["is_active"]
            changes["is_active"] = user.is_active
        if body.get("display_name") is not None:
            user.display_name = body["display_name"]
            changes["display_name"] = {"before": before.display_name, "after": user.display_name}
        if body.get("password"):
            check_password_policy(body["password"], user.username)
            user.password_hash = hash_password(body["password"])
            changes["password_changed"] = True
        if before.has_role("admin") and was_active:
            keep_an_admin(session)
        session.flush()
        after = caller_of(session, user)
        taken_away = (
            before.roles - after.roles
            or before.departments - after.departments
            or before.heads_of - after.heads_of
        )
        if changes.get("password_changed") or (was_active and not user.is_active) or taken_away:
            # Every credential the user held dies: tokens revoked for good (reactivation does not revive
            # them) and browser sessions ended; they sign in again with what they may do now.
            changes["tokens_revoked"] = revoke_tokens_of(session, user.id, ctx.clock.now())
            changes["sessions_ended"] = end_sessions_of(session, user.id)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_updated",
            username=user.username,
            before=account_snapshot(before, was_active),
            after=account_snapshot(after, user.is_active),
            **changes,
        )
        return caller_of(session, user)


def account_snapshot(user: Caller, active: bool) -> dict[str, Any]:
    """What the audit log keeps of an account before and after a change (never a password or token)."""
    return {
        "display_name": user.display_name,
        "departments": sorted(user.departments),
        "heads_of": sorted(user.heads_of),
        "roles": sorted(user.roles),
        "is_active": active,
    }


def admin_issue_token(
    ctx: ServiceContext, admin: Caller, user_id: int, name: str, days: int | None
) -> dict[str, Any]:
    """Issue an API token; its life defaults to AUXPOLICE_TOKEN_DAYS and may not pass _MAX_DAYS."""
    days = days or ctx.settings.token_days
    if days > ctx.settings.token_max_days:
        raise InvalidInputError(
            "令牌有效期不能超过 {max_days} 天",
            errors={
                "days": [
                    f"最长 {ctx.settings.token_max_days} 天",
                    f"At most {ctx.settings.token_max_days} days",
                ]
            },
            english="A token may live at most {max_days} days",
            max_days=ctx.settings.token_max_days,
        )
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        token, row = issue_token(ctx, session, user, name, days=days)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "token_issued",
            username=user.username,
            token_id=row.id,
            name=name,
            expires_at=row.expires_at.isoformat(),
        )
        return {"token": token, "id": row.id, "expires_at": row.expires_at}


def admin_revoke_token(ctx: ServiceContext, admin: Caller, token_id: int) -> None:
    with ctx.database.transaction() as session:
        row = session.get(ApiTokenModel, token_id)
        if row is None:
            raise NotFoundError("令牌 {token_id} 不存在", token_id=token_id)
        if row.revoked_at is not None:
            raise ConflictError("该令牌已被吊销")
        row.revoked_at = ctx.clock.now()
        audit.record(
            session, row.revoked_at, admin.username, "token_revoked", token_id=row.id, user_id=row.user_id
        )


def list_departments(ctx: ServiceContext) -> list[DepartmentModel]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(DepartmentModel).order_by(DepartmentModel.code)))


def admin_create_department(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> DepartmentModel:
    with ctx.database.transaction() as session:
        if session.get(DepartmentModel, body["code"]) is not None:
            raise ConflictError("部门 {code} 已存在", code=body["code"])
        department = DepartmentModel(**body)
        session.add(department)
        audit.record(session, ctx.clock.now(), admin.username, "department_created", **body)
        return department
