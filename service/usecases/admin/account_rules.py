"""The rules every administrator's change to an account keeps, whether it comes from the web pages or the
API (users.py, tokens.py): known roles and departments, the password policy, an active administrator
left, credentials ended when something is taken away, and what the audit log keeps of an account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import DepartmentModel, UserModel, WebSessionModel
from service.usecases.directory import ROLES, Caller, revoke_tokens_of
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.passwords import password_problems

# A username: a lower-case letter, then letters, digits, _ . - (64 characters at most, the column's size).
USERNAME = r"[a-z][a-z0-9_.-]{1,63}"


def find_user(session: Session, user_id: int) -> UserModel:
    user = session.get(UserModel, user_id)
    if user is None:
        raise NotFoundError("用户 {user_id} 不存在", user_id=user_id)
    return user


def check_username_free(session: Session, username: str) -> None:
    if session.scalars(select(UserModel.id).where(UserModel.username == username)).first():
        raise ConflictError("用户名 {username} 已存在", username=username)


def checked_roles(roles: list[str]) -> list[str]:
    """The roles, each once and sorted; an unknown one is refused."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInputError(
            "角色不存在",
            errors={"roles": [f"未知角色：{', '.join(unknown)}", f"Unknown roles: {', '.join(unknown)}"]},
        )
    return sorted(set(roles))


def checked_memberships(body: dict[str, Any]) -> tuple[list[str], set[str]]:
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


def check_departments(session: Session, codes: list[str], *, name_unknown: bool = False) -> None:
    """Refuse a department that does not exist. The API names the unknown codes (its caller typed them);
    a page does not, as it shows names, never codes."""
    known = set(session.scalars(select(DepartmentModel.code).where(DepartmentModel.code.in_(codes))))
    unknown = sorted(set(codes) - known)
    if not unknown:
        return
    if name_unknown:
        listed = ", ".join(unknown)
        messages = [f"未知部门：{listed}", f"Unknown departments: {listed}"]
    else:
        messages = ["所选部门不存在", "A chosen department does not exist"]
    raise InvalidInputError("部门不存在", errors={"departments": messages})


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


def taken_away(before: Caller, after: Caller) -> bool:
    """Whether a change took a role, a department or a headship from the user."""
    return bool(
        before.roles - after.roles
        or before.departments - after.departments
        or before.heads_of - after.heads_of
    )


def end_credentials(session: Session, ctx: ServiceContext, user_id: int) -> dict[str, Any]:
    """Every credential the user held dies: tokens revoked for good (reactivation does not revive them)
    and browser sessions ended; they sign in again with what they may do now."""
    revoked = revoke_tokens_of(session, user_id, ctx.clock.now())
    ended = session.execute(delete(WebSessionModel).where(WebSessionModel.user_id == user_id))
    return {"tokens_revoked": revoked, "sessions_ended": int(getattr(ended, "rowcount", 0) or 0)}


def account_snapshot(user: Caller, active: bool) -> dict[str, Any]:
    """What the audit log keeps of an account before and after a change (never a password or token)."""
    return {
        "display_name": user.display_name,
        "departments": sorted(user.memberships),
        "heads_of": sorted(user.heads_of),
        "roles": sorted(user.roles),
        "is_active": active,
    }
