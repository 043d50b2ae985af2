"""Accounts as an administrator sees them: the list, one user, creating, changing, deactivating and
reactivating, resetting a password and revoking a user's tokens.

Whatever takes something away from a user (a role, a department, the headship, the account itself, the
password) ends their credentials: tokens revoked for good and browser sessions ended, so they come back
only with what they may do now. No change may leave the service without an active administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import ApiTokenModel, DepartmentModel, MembershipModel, UserModel
from service.usecases.accounts import (
    account_snapshot,
    check_password_policy,
    end_sessions_of,
    keep_an_admin,
)
from service.usecases.directory import ROLES, Caller, caller_of, revoke_tokens_of
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.passwords import generated_password, hash_password


@dataclass(frozen=True)
class UserRow:
    """One account on the administrator's list."""

    user_id: int
    username: str
    display_name: str
    departments: tuple[str, ...]
    heads_of: tuple[str, ...]
    roles: tuple[str, ...]
    is_active: bool
    has_password: bool
    created_at: datetime


def user_rows(ctx: ServiceContext) -> list[UserRow]:
    """Every account, in creation order, with memberships read in one query."""
    with ctx.database.reading() as session:
        memberships: dict[int, list[tuple[str, bool]]] = {}
        for row in session.execute(
            select(MembershipModel.user_id, MembershipModel.department_code, MembershipModel.is_head)
        ):
            memberships.setdefault(row.user_id, []).append((row.department_code, row.is_head))
        return [
            _row(user, memberships.get(user.id, []))
            for user in session.scalars(select(UserModel).order_by(UserModel.id))
        ]


def _row(user: UserModel, memberships: list[tuple[str, bool]]) -> UserRow:
    return UserRow(
        user.id,
        user.username,
        user.display_name,
        tuple(sorted(code for code, _head in memberships)),
        tuple(sorted(code for code, head in memberships if head)),
        tuple(sorted(user.roles or ())),
        user.is_active,
        user.password_hash is not None,
        user.created_at,
    )


def user_detail(ctx: ServiceContext, user_id: int) -> dict[str, Any]:
    """One account and its tokens (newest first; never the token itself)."""
    now = ctx.clock.now()
    with ctx.database.reading() as session:
        user = _user(session, user_id)
        caller = caller_of(session, user)
        tokens = session.scalars(
            select(ApiTokenModel).where(ApiTokenModel.user_id == user_id).order_by(ApiTokenModel.id.desc())
        ).all()
        return {
            "user": _row(user, [(code, code in caller.heads_of) for code in caller.departments]),
            "tokens": [
                {
                    "id": token.id,
                    "name": token.name,
                    "created_at": token.created_at,
                    "expires_at": token.expires_at,
                    "revoked_at": token.revoked_at,
                    "state": "revoked"
                    if token.revoked_at is not None
                    else ("expired" if token.expires_at <= now else "active"),
                }
                for token in tokens
            ],
        }


def create_user(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> UserRow:
    """Create an account with its first password (the policy's), memberships, headships and roles."""
    username = body["username"]
    check_password_policy(body["password"], username)
    password_hash = hash_password(body["password"])  # slow on purpose: outside the write transaction
    departments, heads = _memberships(body)
    roles = _roles(body.get("roles") or [])
    with ctx.database.transaction() as session:
        if session.scalars(select(UserModel.id).where(UserModel.username == username)).first():
            raise ConflictError("用户名 {username} 已存在", username=username)
        _check_departments(session, departments)
        user = UserModel(
            username=username,
            display_name=body["display_name"],
            password_hash=password_hash,
            roles=roles,
            is_active=True,
            created_at=ctx.clock.now(),
        )
        session.add(user)
        session.flush()
        for code in departments:
            session.add(MembershipModel(user_id=user.id, department_code=code, is_head=code in heads))
        session.flush()
        after = caller_of(session, user)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_created",
            username=username,
            before=None,
            after=account_snapshot(after, True),
        )
        return _row(user, [(code, code in heads) for code in departments])


def change_user(ctx: ServiceContext, admin: Caller, user_id: int, body: dict[str, Any]) -> UserRow:
    """Change the display name, memberships with headships, and global roles of an account."""
    departments, heads = _memberships(body)
    roles = _roles(body.get("roles") or [])
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        before = caller_of(session, user)
        _check_departments(session, departments)
        user.display_name = body["display_name"]
        user.roles = roles
        for membership in session.scalars(select(MembershipModel).where(MembershipModel.user_id == user.id)):
            session.delete(membership)
        session.flush()
        for code in departments:
            session.add(MembershipModel(user_id=user.id, department_code=code, is_head=code in heads))
        if before.has_role("admin") and user.is_active:
            keep_an_admin(session)
        session.flush()
        after = caller_of(session, user)
        if before == after:
            return _row(user, [(code, code in heads) for code in departments])
        ended = _end_credentials(session, ctx, user.id) if _taken_away(before, after) else {}
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_updated",
            username=user.username,
            before=account_snapshot(before, user.is_active),
            after=account_snapshot(after, user.is_active),
            **ended,
        )
        return _row(user, [(code, code in heads) for code in departments])


def set_active(ctx: ServiceContext, admin: Caller, user_id: int, active: bool) -> UserRow:
    """Deactivate an account (it can no longer sign in; tokens and sessions end) or reactivate it (old
    tokens stay revoked)."""
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        if user.is_active and active:
            raise ConflictError("该账号已启用")
        if not user.is_active and not active:
            raise ConflictError("该账号已停用")
        if not active and user.id == admin.user_id:
            raise ConflictError("不能停用自己的账号")
        caller = caller_of(session, user)
        user.is_active = active
        ended = {} if active else _end_credentials(session, ctx, user.id)
        if not active:
            keep_an_admin(session)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_reactivated" if active else "user_deactivated",
            username=user.username,
            before=account_snapshot(caller, not active),
            after=account_snapshot(caller, active),
            **ended,
        )
        return _row(user, [(code, code in caller.heads_of) for code in caller.departments])


def reset_password(ctx: ServiceContext, admin: Caller, user_id: int, password: str | None) -> str | None:
    """Set a new password (the one given, checked against the policy, or a generated one, returned to be
    handed over once); the user is signed out everywhere and their tokens are revoked."""
    with ctx.database.reading() as session:
        username = _user(session, user_id).username
    generated = None if password else generated_password()
    chosen = password or generated
    assert chosen is not None  # noqa: S101 - one of the two is set
    check_password_policy(chosen, username)
    password_hash = hash_password(chosen)
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        user.password_hash = password_hash
        ended = _end_credentials(session, ctx, user.id)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "password_reset",
            username=user.username,
            before={"password": "(hidden)"},
            after={"password": "(changed)", "generated": generated is not None},
            **ended,
        )
    return generated


def revoke_tokens(ctx: ServiceContext, admin: Caller, user_id: int) -> list[int]:
    """Revoke every live API token of a user (their browser sessions stay: that is the password's)."""
    with ctx.database.transaction() as session:
        user = _user(session, user_id)
        revoked = revoke_tokens_of(session, user.id, ctx.clock.now())
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "tokens_revoked",
            username=user.username,
            before={"live_tokens": revoked},
            after={"live_tokens": []},
        )
        return revoked


def _end_credentials(session: Session, ctx: ServiceContext, user_id: int) -> dict[str, Any]:
    return {
        "tokens_revoked": revoke_tokens_of(session, user_id, ctx.clock.now()),
        "sessions_ended": end_sessions_of(session, user_id),
    }


def _taken_away(before: Caller, after: Caller) -> bool:
    return bool(
        before.roles - after.roles
        or before.departments - after.departments
        or before.heads_of - after.heads_of
    )


def _user(session: Session, user_id: int) -> UserModel:
    user = session.get(UserModel, user_id)
    if user is None:
        raise NotFoundError("用户 {user_id} 不存在", user_id=user_id)
    return user


def _memberships(body: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The departments and the ones headed; one heads only a department one belongs to."""
    departments = sorted(set(body.get("departments") or []))
    heads = set(body.get("heads_of") or [])
    outside = sorted(heads - set(departments))
    if outside:
        raise InvalidInputError(
            "只能担任所属部门的负责人",
            errors={
                "heads_of": ["只能担任所属部门的负责人", "Head only of a department the user belongs to"]
            },
        )
    return departments, heads


def _roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInputError(
            "角色不存在",
            errors={"roles": [f"未知角色：{', '.join(unknown)}", f"Unknown roles: {', '.join(unknown)}"]},
        )
    return sorted(set(roles))


def _check_departments(session: Session, codes: list[str]) -> None:
    known = set(session.scalars(select(DepartmentModel.code).where(DepartmentModel.code.in_(codes))))
    if set(codes) - known:
        raise InvalidInputError(
            "部门不存在",
            errors={"departments": ["所选部门不存在", "A chosen department does not exist"]},
        )
