"""People and organisations: departments, users, memberships, tokens, the village register."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import DepartmentModel, MembershipModel, UserModel, VillageModel
from service.usecases.errors import UnauthenticatedError
from workflows.rules.posts import Village, village_from_dict

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request and the departments they belong to."""

    username: str
    display_name: str
    departments: frozenset[str]
    heads_of: frozenset[str] = frozenset()

    def in_department(self, code: str) -> bool:
        return code in self.departments

    def heads(self, code: str) -> bool:
        return code in self.heads_of


def hash_token(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash suffices; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(ctx: ServiceContext, token: str | None) -> Caller:
    """Resolve a bearer token to a caller, or refuse."""
    if not token:
        raise UnauthenticatedError("请先登录：请求缺少 Authorization: Bearer 令牌")
    with ctx.database.reading() as session:
        user = session.scalars(select(UserModel).where(UserModel.token_hash == hash_token(token))).first()
        if user is None or not user.is_active:
            raise UnauthenticatedError("令牌无效或已停用，请重新获取令牌")
        memberships = list(session.scalars(select(MembershipModel).where(MembershipModel.user_id == user.id)))
        return Caller(
            user.username,
            user.display_name,
            frozenset(m.department_code for m in memberships),
            frozenset(m.department_code for m in memberships if m.is_head),
        )


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
    for item in register["villages"]:
        if session.get(VillageModel, item["code"]) is None:
            session.add(
                VillageModel(
                    code=item["code"],
                    name_zh=item["name_zh"],
                    name_en=item["name_en"],
                    town=item["town"],
                    kind=item["kind"],
                    households=item["households"],
                    many_small_venues=bool(item.get("many_small_venues", False)),
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
) -> str:
    """Create a user with memberships and return their (only ever shown once) token."""
    token = token or secrets.token_urlsafe(32)
    user = UserModel(
        username=username,
        display_name=display_name,
        token_hash=hash_token(token),
        is_active=True,
        created_at=ctx.clock.now(),
    )
    session.add(user)
    session.flush()
    for code in departments:
        session.add(MembershipModel(user_id=user.id, department_code=code, is_head=code in heads_of))
    session.flush()
    return token


def register_villages(session: Session) -> list[Village]:
    """The village register as domain objects, for the post allocation rule."""
    columns = ("code", "name_zh", "name_en", "town", "kind", "households", "many_small_venues")
    return [
        village_from_dict({column: getattr(v, column) for column in columns})
        for v in session.scalars(select(VillageModel).order_by(VillageModel.code))
    ]
