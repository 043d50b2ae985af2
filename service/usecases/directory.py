"""People and organisations: departments, users, memberships, tokens, the village register."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    ApiTokenModel,
    DepartmentModel,
    MembershipModel,
    TownModel,
    UserModel,
    VillageModel,
    VillageVersionModel,
)
from service.usecases.errors import UnauthenticatedError
from service.usecases.passwords import hash_password
from workflows.extensions import PERSONAL_QUEUE_KIND
from workflows.rules.posts import Village, village_from_dict

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


ROLES = ("designer", "auditor", "admin")
# The date the shipped register is in force from: its entries predate any campaign this service runs.
REGISTER_START = date(2000, 1, 1)
_VILLAGE_COLUMNS = ("code", "name_zh", "name_en", "town", "kind", "households", "many_small_venues")
TOKEN_DAYS = 30


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request: departments, the ones they head, and global roles."""

    username: str
    display_name: str
    departments: frozenset[str]
    heads_of: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    user_id: int = 0
    officer_id: int | None = None
    language: str = "zh-CN"

    def in_department(self, code: str) -> bool:
        return code in self.departments

    @property
    def memberships(self) -> frozenset[str]:
        """The departments the account is a member of, without its own officer's queue."""
        return frozenset(code for code in self.departments if not is_personal_queue(code))

    def heads(self, code: str) -> bool:
        return code in self.heads_of

    def has_role(self, role: str) -> bool:
        return role in self.roles


def hash_token(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash suffices; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


def caller_of(session: Session, user: UserModel) -> Caller:
    memberships = session.execute(
        select(MembershipModel.department_code, MembershipModel.is_head).where(
            MembershipModel.user_id == user.id
        )
    )
    return _caller(user, [(code, is_head) for code, is_head in memberships])


def personal_queue(officer_id: int) -> str:
    """The queue of one officer's own tasks (lane ``officer:{officer_id}``): only the account linked to that
    officer is in it, so an officer's report task is theirs alone and they see no department's queue."""
    return f"{PERSONAL_QUEUE_KIND}:{officer_id}"


def is_personal_queue(code: str) -> bool:
    return code.startswith(f"{PERSONAL_QUEUE_KIND}:")


def _caller(user: Any, memberships: list[tuple[str, bool]]) -> Caller:
    """Build a caller from a user (ORM object or row with the user's columns) and its memberships; an
    account linked to an officer is also in that officer's own queue (never headed)."""
    own = {personal_queue(user.officer_id)} if user.officer_id is not None else set()
    return Caller(
        user.username,
        user.display_name,
        frozenset(code for code, _head in memberships) | own,
        frozenset(code for code, head in memberships if head),
        frozenset(user.roles or ()),
        user.id,
        user.officer_id,
        user.language,
    )


# One statement per request: the token, its user and every membership (a user in no department still
# comes back once, through the outer join). Core rows, not ORM objects: this runs on every API call.
# What a caller is made of: the user and each of their memberships.
_CALLER_COLUMNS = (
    UserModel.id,
    UserModel.username,
    UserModel.display_name,
    UserModel.roles,
    UserModel.officer_id,
    UserModel.language,
    UserModel.is_active,
    MembershipModel.department_code,
    MembershipModel.is_head,
)
_CALLER_BY_TOKEN = (
    select(ApiTokenModel.expires_at, ApiTokenModel.revoked_at, *_CALLER_COLUMNS)
    .join(UserModel, UserModel.id == ApiTokenModel.user_id)
    .outerjoin(MembershipModel, MembershipModel.user_id == UserModel.id)
    .where(ApiTokenModel.token_hash == bindparam("token_hash"))
)


def authenticate(ctx: ServiceContext, token: str | None) -> Caller:
    """Resolve a bearer token to a caller, or refuse (unknown, expired, revoked, or inactive user)."""
    if not token:
        raise UnauthenticatedError("请先登录：请求缺少 Authorization: Bearer 令牌")
    with ctx.database.single_read() as connection:
        rows = connection.execute(_CALLER_BY_TOKEN, {"token_hash": hash_token(token)}).all()
    if not rows or not rows[0].is_active:
        raise UnauthenticatedError("令牌无效或账号已停用，请重新登录")
    first = rows[0]
    if first.revoked_at is not None:
        raise UnauthenticatedError("令牌已被吊销，请重新登录")
    if first.expires_at <= ctx.clock.now():
        raise UnauthenticatedError("令牌已过期，请重新登录")
    return _caller(first, [(row.department_code, row.is_head) for row in rows if row.department_code])


_CALLER_BY_ID = (
    select(*_CALLER_COLUMNS)
    .outerjoin(MembershipModel, MembershipModel.user_id == UserModel.id)
    .where(UserModel.id == bindparam("user_id"))
)


def caller_by_id(ctx: ServiceContext, user_id: int) -> Caller | None:
    """The signed-in user of a web session, or None once they are gone or deactivated."""
    with ctx.database.single_read() as connection:
        rows = connection.execute(_CALLER_BY_ID, {"user_id": user_id}).all()
    if not rows or not rows[0].is_active:
        return None
    return _caller(rows[0], [(row.department_code, row.is_head) for row in rows if row.department_code])


def issue_token(
    ctx: ServiceContext,
    session: Session,
    user: UserModel,
    name: str,
    days: int | None = None,
    token: str | None = None,
    lifetime: timedelta | None = None,
) -> tuple[str, ApiTokenModel]:
    """Create a bearer token for ``user``; the clear text is returned once and never stored.

    It lives ``lifetime``, else ``days``, else the configured AUXPOLICE_TOKEN_DAYS.
    """
    token = token or secrets.token_urlsafe(32)
    now = ctx.clock.now()
    lifetime = lifetime or timedelta(days=days or ctx.settings.token_days or TOKEN_DAYS)
    row = ApiTokenModel(
        user_id=user.id,
        token_hash=hash_token(token),
        name=name,
        created_at=now,
        expires_at=now + lifetime,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return token, row


def revoke_tokens_of(session: Session, user_id: int, now: datetime) -> list[int]:
    """Revoke every live token of a user (password changed, deactivated, a role taken away); return ids.

    Revoked for good: reactivating the user later does not bring them back.
    """
    rows = session.scalars(
        select(ApiTokenModel).where(ApiTokenModel.user_id == user_id, ApiTokenModel.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now
    return sorted(row.id for row in rows)


def token_entry(row: ApiTokenModel, now: datetime) -> dict[str, Any]:
    """A token as its owner and the administrator see it, with its state (active, expired or revoked);
    never the token itself, which is not kept."""
    if row.revoked_at is not None:
        state = "revoked"
    else:
        state = "expired" if row.expires_at <= now else "active"
    return {
        "id": row.id,
        "name": row.name,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "state": state,
    }


def load_register(session: Session) -> None:
    """Load departments and the village register shipped in service/data (idempotent)."""
    departments = json.loads((DATA_DIR / "departments.json").read_text(encoding="utf-8"))["departments"]
    for item in departments:
        if session.get(DepartmentModel, item["code"]) is None:
            session.add(
                DepartmentModel(
                    code=item["code"],
                    name_zh=item["name_zh"],
                    name_en=item["name_en"],
                    kind=item["kind"],
                    town=item.get("town"),
                )
            )
    register = json.loads((DATA_DIR / "villages.json").read_text(encoding="utf-8"))
    for town in register["towns"]:
        if session.get(TownModel, town["code"]) is None:
            session.add(TownModel(code=town["code"], name_zh=town["name_zh"], name_en=town["name_en"]))
    for item in register["villages"]:
        if session.get(VillageModel, item["code"]) is None:
            entry = {
                "code": item["code"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "town": item["town"],
                "kind": item["kind"],
                "households": item["households"],
                "many_small_venues": bool(item.get("many_small_venues", False)),
            }
            session.add(VillageModel(**entry))
            session.flush()
            # Its history starts with the shipped entry, in force since the register's start.
            session.add(
                VillageVersionModel(
                    village_code=entry.pop("code"),
                    **entry,
                    effective_from=REGISTER_START,
                    effective_to=None,
                    reason="",
                    recorded_by="system",
                    recorded_at=datetime.now(UTC),
                )
            )
    session.flush()


def create_user(
    ctx: ServiceContext,
    session: Session,
    username: str,
    display_name: str,
    departments: list[str],
    token: str | None = None,
    heads_of: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
    password: str | None = None,
) -> tuple[UserModel, str]:
    """Create a user with memberships and a bearer token; return the user and the (clear) token."""
    user = UserModel(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
        roles=sorted(roles),
        is_active=True,
        created_at=ctx.clock.now(),
    )
    session.add(user)
    session.flush()
    for code in departments:
        session.add(MembershipModel(user_id=user.id, department_code=code, is_head=code in heads_of))
    session.flush()
    clear, _row = issue_token(ctx, session, user, "initial", token=token)
    return user, clear


def register_villages(session: Session) -> list[Village]:
    """The village register as domain objects, for the post allocation rule."""
    return [
        village_from_dict({column: getattr(v, column) for column in _VILLAGE_COLUMNS})
        for v in session.scalars(select(VillageModel).order_by(VillageModel.code))
    ]


def register_versions_on(session: Session, on: date) -> list[VillageVersionModel]:
    """Each village's register entry in force on ``on`` (a village entered later is not in it)."""
    return list(
        session.scalars(
            select(VillageVersionModel)
            .where(
                VillageVersionModel.effective_from <= on,
                (VillageVersionModel.effective_to.is_(None)) | (VillageVersionModel.effective_to > on),
            )
            .order_by(VillageVersionModel.village_code)
        )
    )


def register_villages_on(session: Session, on: date) -> list[Village]:
    """The village register as it stood on ``on``, as domain objects: the posts a campaign planned that
    day was offered, whatever changed since."""
    return [
        village_from_dict({**{c: getattr(v, c) for c in _VILLAGE_COLUMNS[1:]}, "code": v.village_code})
        for v in register_versions_on(session, on)
    ]
