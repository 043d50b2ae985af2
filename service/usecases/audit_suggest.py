"""The audit search form's suggestions as one types (issue 16): at most ``LIMIT`` people or villages whose
name contains the text, the exact name first, then names starting with it, the shorter first.

The form used to carry every user and every village of the register as ``<datalist>`` options (403 KiB
for 7,000 officers' year, ten times that for a province). Now the page asks for the few names matching
what the auditor typed, and the search page says which names a typed value stands for when it stands for
none or for several (``resolve``): the search itself still finds every name containing the text, as the
API's ``person`` and ``village`` filters do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    DepartmentModel,
    MembershipModel,
    UserModel,
    VillageModel,
    VillageVersionModel,
)
from service.usecases import names
from service.usecases.audit_search import ESCAPE, contains
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError
from service.usecases.names import SERVICE_ACTORS

LIMIT = 20
FIELDS = ("person", "village")


@dataclass(frozen=True)
class Suggestion:
    """A name as the search field takes it (``value``), how the list shows it (``label``: with the
    person's departments or the village's town) and whether it is exactly the text typed."""

    value: str
    label: str
    exact: bool


@dataclass(frozen=True)
class Matches:
    """Up to ``LIMIT`` names matching a text; ``more`` when there are others."""

    items: list[Suggestion] = field(default_factory=list)
    more: bool = False

    @property
    def exact(self) -> list[Suggestion]:
        return [item for item in self.items if item.exact]


def _like(column: object, text: str) -> object:
    return column.ilike(contains(text), escape=ESCAPE)  # type: ignore[attr-defined]


def _order(name: object, text: str) -> list[object]:
    """The exact name first, then the names starting with the text, then the shorter (then the caller's
    order: the register's codes, the users' ids, the same on both databases whatever their collation)."""
    lowered = func.lower(name)  # type: ignore[arg-type]
    starts = lowered.like(contains(text.lower())[1:], escape=ESCAPE)
    return [case((lowered == text.lower(), 0), (starts, 1), else_=2), func.length(name)]  # type: ignore[arg-type]


def _with(name: str, places: list[str], lang: str) -> str:
    """王家村（崮山镇）, 李科长（党群工作部）; Wangjia Village (Gushan Town) in English."""
    if not places:
        return name
    if lang == "en":
        return f"{name} ({', '.join(places)})"
    return f"{name}（{'、'.join(places)}）"


def _unnamed(places: list[str], name: str) -> list[str]:
    return [place for place in places if place not in name]


def _people(session: Session, text: str, lang: str) -> Matches:
    rows = session.execute(
        select(UserModel.id, UserModel.display_name)
        .where(or_(_like(UserModel.display_name, text), _like(UserModel.username, text)))  # type: ignore[arg-type]
        .order_by(*_order(UserModel.display_name, text), UserModel.id)  # type: ignore[arg-type]
        .limit(LIMIT + 1)
    ).all()
    departments: dict[int, list[str]] = {}
    if rows:
        wanted = [row.id for row in rows[:LIMIT]]
        memberships = session.execute(
            select(MembershipModel.user_id, DepartmentModel.name_zh, DepartmentModel.name_en)
            .join(DepartmentModel, DepartmentModel.code == MembershipModel.department_code)
            .where(MembershipModel.user_id.in_(wanted))
            .order_by(MembershipModel.user_id, DepartmentModel.code)
        )
        for user_id, zh, en in memberships:
            departments.setdefault(user_id, []).append(en if lang == "en" else zh)
    items = [
        Suggestion(
            row.display_name,
            # 李科长（党群工作部）; the demo's 党群工作部 李科长 already names it.
            _with(row.display_name, _unnamed(departments.get(row.id, []), row.display_name), lang),
            row.display_name.casefold() == text.casefold(),
        )
        for row in rows[:LIMIT]
    ]
    wanted_text = text.casefold()
    for actor, both in SERVICE_ACTORS.items():  # 系统, 定时任务: actors of the trail without an account
        if any(wanted_text in name.casefold() for name in (actor, *both)) and len(items) <= LIMIT:
            name = names.Name(*both).in_language(lang)
            items.append(Suggestion(name, name, name.casefold() == wanted_text))
    return Matches(items[:LIMIT], len(rows) > LIMIT or len(items) > LIMIT)


def _villages(session: Session, text: str, lang: str) -> Matches:
    # A village renamed since is found by its earlier name too, as the search finds it.
    then = select(VillageVersionModel.village_code).where(
        or_(_like(VillageVersionModel.name_zh, text), _like(VillageVersionModel.name_en, text))  # type: ignore[arg-type]
    )
    name = VillageModel.name_en if lang == "en" else VillageModel.name_zh
    rows = session.execute(
        select(VillageModel.name_zh, VillageModel.name_en, VillageModel.town)
        .where(
            or_(
                VillageModel.code == text.strip(),
                _like(VillageModel.name_zh, text),  # type: ignore[arg-type]
                _like(VillageModel.name_en, text),  # type: ignore[arg-type]
                VillageModel.code.in_(then),
            )
        )
        .order_by(*_order(name, text), VillageModel.code)  # type: ignore[arg-type]
        .limit(LIMIT + 1)
    ).all()
    towns = {town["code"]: town for town in names.towns(session)} if rows else {}
    items = []
    for row in rows[:LIMIT]:
        town = towns.get(row.town)
        value = row.name_en if lang == "en" else row.name_zh
        label = _with(value, [town["name_en" if lang == "en" else "name_zh"]] if town else [], lang)
        exact = text.casefold() in (row.name_zh.casefold(), row.name_en.casefold())
        items.append(Suggestion(value, label, exact))
    return Matches(items, len(rows) > LIMIT)


def require_auditor(caller: Caller) -> None:
    if not caller.has_role("auditor"):
        raise ForbiddenError("只有审计人员可以查看审计页面")


def matches(session: Session, kind: str, text: str, lang: str) -> Matches:
    """The people (``kind`` person) or villages (village) whose name contains ``text``."""
    text = text.strip()
    if not text:
        return Matches()
    return _people(session, text, lang) if kind == "person" else _villages(session, text, lang)


def suggest(ctx: ServiceContext, caller: Caller, kind: str, text: str, lang: str) -> Matches:
    """The suggestions for the audit search's ``kind`` field (auditors only)."""
    require_auditor(caller)
    with ctx.database.reading() as session:
        return matches(session, kind, text, lang)
