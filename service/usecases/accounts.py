"""Accounts: login with rate limiting, logout, and the administrator's user, membership and token actions.

No password or token ever goes into the audit log: events name the user and what changed, nothing more.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    ApiTokenModel,
    DepartmentModel,
    LoginFailureModel,
    MembershipModel,
    UserModel,
)
from service.usecases.directory import ROLES, Caller, caller_of, create_user, hash_token, issue_token
from service.usecases.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
    UnauthenticatedError,
)
from service.usecases.passwords import hash_password, verify_password

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_TOKEN_HOURS = 12


class TooManyAttemptsError(ServiceError):
    status = 429
    code = "too_many_attempts"


def login(ctx: ServiceContext, username: str, password: str, remote_addr: str) -> dict[str, Any]:
    """Check a password and issue a short-lived token; refuse after repeated failures.

    A failure is committed (counted and audited) before the refusal is raised.
    """
    now = ctx.clock.now()
    result: dict[str, Any] | None = None
    with ctx.database.transaction() as session:
        recent = session.scalar(
            select(func.count())
            .select_from(LoginFailureModel)
            .where(LoginFailureModel.username == username, LoginFailureModel.at > now - FAILURE_WINDOW)
        )
        locked = (recent or 0) >= MAX_FAILURES
        user = session.scalars(select(UserModel).where(UserModel.username == username)).first()
        # The hash is verified even when locked or unknown, so timing tells nothing about the account.
        valid = verify_password(user.password_hash if user else None, password)
        if locked or user is None or not user.is_active or not valid:
            if not locked:
                session.add(LoginFailureModel(username=username, remote_addr=remote_addr, at=now))
            audit.record(
                session, now, username, "login_locked" if locked else "login_failed", remote_addr=remote_addr
            )
        else:
            session.execute(delete(LoginFailureModel).where(LoginFailureModel.username == username))
            token, row = issue_token(ctx, session, user, "login", days=0)
            row.expires_at = now + timedelta(hours=LOGIN_TOKEN_HOURS)
            audit.record(session, now, user.username, "login", remote_addr=remote_addr, token_id=row.id)
            result = {"token": token, "expires_at": row.expires_at, "user": caller_of(session, user)}
    if result is None:
        if locked:
            raise TooManyAttemptsError(
                "登录失败次数过多，请 {minutes} 分钟后再试", minutes=FAILURE_WINDOW.seconds // 60
            )
        raise UnauthenticatedError("用户名或密码错误")
    return result


def logout(ctx: ServiceContext, caller: Caller, token: str) -> None:
    """Revoke the token the caller is using."""
    with ctx.database.transaction() as session:
        row = session.scalars(
            select(ApiTokenModel).where(ApiTokenModel.token_hash == hash_token(token))
        ).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = ctx.clock.now()
            audit.record(session, row.revoked_at, caller.username, "logout", token_id=row.id)


def set_language(ctx: ServiceContext, caller: Caller, language: str) -> None:
    with ctx.database.transaction() as session:
        user = _user(session, caller.user_id)
        user.language = language
        audit.record(session, ctx.clock.now(), caller.username, "language_changed", language=language)


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
        )
        return {"user": caller_of(session, user), "token": token}


def admin_update_user(ctx: ServiceContext, admin: Caller, user_id: int, body: dict[str, Any]) -> Caller:
    """Change roles, memberships, activity or password of a user."""
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
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
        if body.get("password"):
            user.password_hash = hash_password(body["password"])
            changes["password_changed"] = True
        session.flush()
        audit.record(
            session, ctx.clock.now(), admin.username, "user_updated", username=user.username, **changes
        )
        return caller_of(session, user)


def admin_issue_token(
    ctx: ServiceContext, admin: Caller, user_id: int, name: str, days: int
) -> dict[str, Any]:
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
