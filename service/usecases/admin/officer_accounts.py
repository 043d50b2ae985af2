"""An officer's own account (issue 17, point 7): an admin creates it from the officer's page, linked to the
officer record (``users.officer_id``), so that the officer works their own queue (the month's field report)
and reads their own results. It belongs to no department: the officer sees no department's queue.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from service import audit
from service.context import ServiceContext
from service.persistence.models import OfficerModel, UserModel
from service.usecases.admin.account_rules import (
    USERNAME,
    account_snapshot,
    check_password_policy,
    check_username_free,
)
from service.usecases.directory import Caller, caller_of
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.passwords import hash_password


def account_of(ctx: ServiceContext, officer_id: int) -> dict[str, Any] | None:
    """The account linked to the officer (username, name, active), or None."""
    with ctx.database.reading() as session:
        row = session.execute(
            select(UserModel.username, UserModel.display_name, UserModel.is_active)
            .where(UserModel.officer_id == officer_id)
            .order_by(UserModel.id)
            .limit(1)
        ).first()
    return dict(row._mapping) if row is not None else None


def create_officer_account(
    ctx: ServiceContext, admin: Caller, officer_id: int, username: str, password: str
) -> str:
    """Create the officer's account with its first password (the policy's), named as the officer, in no
    department; one account per officer, for an officer in service. Returns the officer's name."""
    if not admin.has_role("admin"):
        raise ForbiddenError(
            "只有系统管理员可以为辅警开设账号", english="Only an administrator may open an officer's account"
        )
    if not re.fullmatch(USERNAME, username):
        raise InvalidInputError(
            "用户名格式不正确",
            errors={
                "username": [
                    "小写字母开头，可含数字、下划线、点和连字符",
                    "Starts with a lower-case letter; letters, digits, _ . - allowed",
                ]
            },
            english="The username is not well formed",
        )
    check_password_policy(password, username)
    password_hash = hash_password(password)  # slow on purpose: outside the write transaction
    with ctx.database.transaction() as session:
        officer = session.get(OfficerModel, officer_id)
        if officer is None:
            raise NotFoundError(
                "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer_id
            )
        if officer.status != "in_service":
            raise ConflictError(
                "{name} 已不在岗，不能开设账号", english="{name} is no longer in service", name=officer.name
            )
        taken = session.scalar(select(UserModel.username).where(UserModel.officer_id == officer_id).limit(1))
        if taken is not None:
            raise ConflictError(
                "{name} 已有账号 {username}", english="{name} has the account {username} already",
                name=officer.name, username=taken,
            )
        check_username_free(session, username)
        user = UserModel(
            username=username,
            display_name=officer.name,
            password_hash=password_hash,
            roles=[],
            is_active=True,
            officer_id=officer_id,
            created_at=ctx.clock.now(),
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "user_created",
            username=username,
            officer_id=officer_id,
            before=None,
            after=account_snapshot(caller_of(session, user), True),
        )
        return officer.name
