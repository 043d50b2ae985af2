"""Accounts as an administrator sees them: the list, one user, creating, changing, deactivating and
reactivating, and resetting a password; through the pages and through the API (whose create issues a
first token and whose change may also set the password or the activity). Tokens are in tokens.py, the
rules both keep in account_rules.py.

Whatever takes something away from a user (a role, a department, the headship, the account itself, the
password) ends their credentials: tokens revoked for good and browser sessions ended, so they come back
only with what they may do now. No change may leave the service without an active administrator.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import ApiTokenModel, MembershipModel, UserModel
from service.usecases import directory
from service.usecases.admin.account_rules import (
    account_snapshot,
    check_departments,
    check_password_policy,
    check_username_free,
    checked_memberships,
    checked_roles,
    end_credentials,
    find_user,
    keep_an_admin,
    taken_away,
)
from service.usecases.directory import Caller, caller_of, token_entry
from service.usecases.errors import ConflictError
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


def list_users(ctx: ServiceContext) -> list[Caller]:
    with ctx.database.reading() as session:
        return [
            caller_of(session, user) for user in session.scalars(select(UserModel).order_by(UserModel.id))
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
        user = find_user(session, user_id)
        caller = caller_of(session, user)
        tokens = session.scalars(
            select(ApiTokenModel).where(ApiTokenModel.user_id == user_id).order_by(ApiTokenModel.id.desc())
        ).all()
        return {
            "user": _listed(user, caller),
            "tokens": [token_entry(token, now) for token in tokens],
        }


def create_user(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> UserRow:
    """Create an account with its first password (the policy's), memberships, headships and roles."""
    username = body["username"]
    check_password_policy(body["password"], username)
    password_hash = hash_password(body["password"])  # slow on purpose: outside the write transaction
    departments, heads = checked_memberships(body)
    roles = checked_roles(body.get("roles") or [])
    with ctx.database.transaction() as session:
        check_username_free(session, username)
        check_departments(session, departments)
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
        _add_memberships(session, user.id, departments, heads)
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
        return _listed(user, after)


def create_user_with_token(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """The API's create: memberships, roles, a password if one is given, the officer the account is;
    return the user and a first token."""
    with ctx.database.transaction() as session:
        check_username_free(session, body["username"])
        check_departments(session, body["departments"] + body["heads_of"], name_unknown=True)
        checked_roles(body["roles"])
        if body.get("password"):
            check_password_policy(body["password"], body["username"])
        user, token = directory.create_user(
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


def change_user(ctx: ServiceContext, admin: Caller, user_id: int, body: dict[str, Any]) -> UserRow:
    """Change the display name, memberships with headships, and global roles of an account."""
    departments, heads = checked_memberships(body)
    roles = checked_roles(body.get("roles") or [])
    with ctx.database.transaction() as session:
        user = find_user(session, user_id)
        before = caller_of(session, user)
        check_departments(session, departments)
        user.display_name = body["display_name"]
        user.roles = roles
        _replace_memberships(session, user.id, departments, heads)
        if before.has_role("admin") and user.is_active:
            keep_an_admin(session)
        session.flush()
        after = caller_of(session, user)
        if before == after:
            return _listed(user, after)
        ended = end_credentials(session, ctx, user.id) if taken_away(before, after) else {}
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
        return _listed(user, after)


def update_user(ctx: ServiceContext, admin: Caller, user_id: int, body: dict[str, Any]) -> Caller:
    """The API's change: roles, memberships, activity, display name or password, each only if given."""
    with ctx.database.transaction() as session:
        user = find_user(session, user_id)
        before = caller_of(session, user)
        was_active = user.is_active
        changes: dict[str, Any] = {}
        if body.get("roles") is not None:
            checked_roles(body["roles"])
            user.roles = sorted(body["roles"])
            changes["roles"] = user.roles
        if body.get("departments") is not None:
            heads = body.get("heads_of") or []
            check_departments(session, body["departments"] + heads, name_unknown=True)
            _replace_memberships(session, user.id, body["departments"], heads)
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
        deactivated = was_active and not user.is_active
        if changes.get("password_changed") or deactivated or taken_away(before, after):
            changes.update(end_credentials(session, ctx, user.id))
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


def set_active(ctx: ServiceContext, admin: Caller, user_id: int, active: bool) -> UserRow:
    """Deactivate an account (it can no longer sign in; tokens and sessions end) or reactivate it (old
    tokens stay revoked)."""
    with ctx.database.transaction() as session:
        user = find_user(session, user_id)
        if user.is_active and active:
            raise ConflictError("该账号已启用")
        if not user.is_active and not active:
            raise ConflictError("该账号已停用")
        if not active and user.id == admin.user_id:
            raise ConflictError("不能停用自己的账号")
        caller = caller_of(session, user)
        user.is_active = active
        ended = {} if active else end_credentials(session, ctx, user.id)
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
        return _listed(user, caller)


def reset_password(ctx: ServiceContext, admin: Caller, user_id: int, password: str | None) -> str | None:
    """Set a new password (the one given, checked against the policy, or a generated one, returned to be
    handed over once); the user is signed out everywhere and their tokens are revoked."""
    with ctx.database.reading() as session:
        username = find_user(session, user_id).username
    generated = None if password else generated_password()
    chosen = password or generated
    assert chosen is not None  # noqa: S101 - one of the two is set
    check_password_policy(chosen, username)
    password_hash = hash_password(chosen)
    with ctx.database.transaction() as session:
        user = find_user(session, user_id)
        user.password_hash = password_hash
        ended = end_credentials(session, ctx, user.id)
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


def _listed(user: UserModel, caller: Caller) -> UserRow:
    return _row(user, [(code, code in caller.heads_of) for code in caller.memberships])


def _add_memberships(session: Session, user_id: int, departments: list[str], heads: Collection[str]) -> None:
    for code in departments:
        session.add(MembershipModel(user_id=user_id, department_code=code, is_head=code in heads))


def _replace_memberships(
    session: Session, user_id: int, departments: list[str], heads: Collection[str]
) -> None:
    session.execute(delete(MembershipModel).where(MembershipModel.user_id == user_id))
    _add_memberships(session, user_id, departments, heads)
