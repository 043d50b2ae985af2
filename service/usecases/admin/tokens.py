"""A user's API tokens as the administrator handles them: issuing one, revoking one, revoking them all."""

from __future__ import annotations

from typing import Any

from service import audit
from service.context import ServiceContext
from service.persistence.models import ApiTokenModel
from service.usecases.admin.account_rules import find_user
from service.usecases.directory import Caller, issue_token, revoke_tokens_of
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError


def issue(ctx: ServiceContext, admin: Caller, user_id: int, name: str, days: int | None) -> dict[str, Any]:
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
        user = find_user(session, user_id)
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


def revoke(ctx: ServiceContext, admin: Caller, token_id: int) -> None:
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


def revoke_all(ctx: ServiceContext, admin: Caller, user_id: int) -> list[int]:
    """Revoke every live API token of a user (their browser sessions stay: that is the password's)."""
    with ctx.database.transaction() as session:
        user = find_user(session, user_id)
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
