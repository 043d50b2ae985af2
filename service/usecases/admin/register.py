"""The village register as an administrator keeps it: towns, villages and their posts, with history.

A village's entry is kept as versions, each in force from a date (``village_versions``); ``villages`` holds
the version in force today, which is what planning and every page read. A change takes effect from a date:
today or earlier, but not before the village's latest version began (history is appended, never
rewritten; a change dated the same day as the latest version corrects it). A date in the future is
refused: the register in force is the one today, and a change due later is entered on its day. So the
register as of any date, and the posts the rule gave it, can be shown, such as on the day a campaign
planned its posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    CampaignModel,
    InstanceModel,
    TownModel,
    VillageModel,
    VillageVersionModel,
)
from service.usecases.admin.names import rename
from service.usecases.directory import Caller, register_versions_on
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.names import towns
from workflows.ports import CHINA
from workflows.rules.posts import PostAllocation, allocate_one, village_from_dict

ENTRY_FIELDS = ("name_zh", "name_en", "town", "kind", "households", "many_small_venues")


@dataclass(frozen=True)
class RegisterEntry:
    """A village as the register had it over a span of days, with the posts the rule gives it."""

    code: str
    name_zh: str
    name_en: str
    town: str
    kind: str
    households: int
    many_small_venues: bool
    effective_from: date
    effective_to: date | None
    reason: str
    recorded_by: str
    recorded_at: datetime
    posts: int
    post_reasons: tuple[str, ...]


def today(ctx: ServiceContext) -> date:
    """The service clock's day in Beijing: the register's dates are Chinese calendar days."""
    return ctx.clock.now().astimezone(CHINA).date()


def _entry(version: VillageVersionModel) -> RegisterEntry:
    allocation = _allocation(version)
    return RegisterEntry(
        version.village_code,
        version.name_zh,
        version.name_en,
        version.town,
        version.kind,
        version.households,
        version.many_small_venues,
        version.effective_from,
        version.effective_to,
        version.reason,
        version.recorded_by,
        version.recorded_at,
        allocation.posts,
        allocation.reasons,
    )


def _allocation(version: VillageVersionModel) -> PostAllocation:
    values = {field: getattr(version, field) for field in ENTRY_FIELDS}
    return allocate_one(village_from_dict({"code": version.village_code, **values}))


def town_rows(ctx: ServiceContext) -> list[TownModel]:
    """The towns in the register's order, the one every other page lists them in (names.towns)."""
    with ctx.database.reading() as session:
        order = {town["code"]: position for position, town in enumerate(towns(session))}
        return sorted(session.scalars(select(TownModel)), key=lambda town: order[town.code])


def register_on(ctx: ServiceContext, on: date | None) -> dict[str, Any]:
    """The register in force on ``on`` (today when None): each village with its posts, and the total."""
    day = on or today(ctx)
    with ctx.database.reading() as session:
        entries = [_entry(version) for version in register_versions_on(session, day)]
    return {
        "on": day,
        "today": today(ctx),
        "villages": entries,
        "total_posts": sum(entry.posts for entry in entries),
    }


def village_history(ctx: ServiceContext, code: str) -> list[RegisterEntry]:
    """Every version of one village's entry, newest first."""
    with ctx.database.reading() as session:
        _village(session, code)
        versions = session.scalars(
            select(VillageVersionModel)
            .where(VillageVersionModel.village_code == code)
            .order_by(VillageVersionModel.effective_from.desc())
        )
        return [_entry(version) for version in versions]


def campaign_dates(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Each campaign with the day its posts were computed (its recruitment started), newest first: the
    register as of that day is the one it planned with."""
    with ctx.database.reading() as session:
        rows = session.execute(
            select(CampaignModel.id, CampaignModel.title, InstanceModel.created_at)
            .join(InstanceModel, InstanceModel.id == CampaignModel.instance_id)
            .order_by(CampaignModel.id.desc())
        )
        return [
            {"id": row.id, "title": row.title, "planned_on": row.created_at.astimezone(CHINA).date()}
            for row in rows
        ]


def create_town(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> TownModel:
    with ctx.database.transaction() as session:
        if session.get(TownModel, body["code"]) is not None:
            raise ConflictError("镇 {code} 已存在", code=body["code"])
        _unique_town_name(session, body["name_zh"], None)
        town = TownModel(code=body["code"], name_zh=body["name_zh"], name_en=body["name_en"])
        session.add(town)
        audit.record(
            session, ctx.clock.now(), admin.username, "town_created", town=town.code, before=None, after=body
        )
        return town


def rename_town(ctx: ServiceContext, admin: Caller, code: str, body: dict[str, Any]) -> TownModel:
    with ctx.database.transaction() as session:
        town = session.get(TownModel, code)
        if town is None:
            raise NotFoundError("镇 {code} 不存在", code=code)
        _unique_town_name(session, body["name_zh"], code)
        rename(ctx, session, admin, town, body, "town_renamed", town=code)
        return town


def _unique_town_name(session: Session, name_zh: str, code: str | None) -> None:
    taken = session.scalars(select(TownModel.code).where(TownModel.name_zh == name_zh)).first()
    if taken is not None and taken != code:
        raise ConflictError("已有名为 {name} 的镇", name=name_zh)


def create_village(ctx: ServiceContext, admin: Caller, body: dict[str, Any]) -> RegisterEntry:
    """Enter a new village or community in the register, in force from ``effective_from``."""
    effective_from = _effective_from(ctx, body)
    with ctx.database.transaction() as session:
        values = {field: body[field] for field in ENTRY_FIELDS}
        _check_entry(session, values, None)
        code = body.get("code") or _new_code(session, values["town"])
        if session.get(VillageModel, code) is not None:
            raise ConflictError("村（社区）编码 {code} 已存在", code=code)
        session.add(VillageModel(code=code, **values))
        session.flush()
        version = _new_version(ctx, session, admin, code, values, effective_from, body.get("reason") or "")
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "village_created",
            village=code,
            effective_from=effective_from.isoformat(),
            before=None,
            after={**values, "posts": _allocation(version).posts},
        )
        return _entry(version)


def change_village(ctx: ServiceContext, admin: Caller, code: str, body: dict[str, Any]) -> RegisterEntry:
    """Change a village's entry from ``effective_from`` on: the version in force until then ends that day
    (or, dated the same day, is corrected); fields not given keep their value."""
    effective_from = _effective_from(ctx, body)
    with ctx.database.transaction() as session:
        village = _village(session, code)
        latest = session.scalars(
            select(VillageVersionModel)
            .where(VillageVersionModel.village_code == code)
            .order_by(VillageVersionModel.effective_from.desc())
            .with_for_update()
        ).first()
        assert latest is not None  # noqa: S101 - every village has a version (migration 0011)
        if effective_from < latest.effective_from:
            raise InvalidInputError(
                "生效日期不能早于该村（社区）现行登记的生效日期 {since}",
                errors={
                    "effective_from": [
                        f"不早于 {latest.effective_from}",
                        f"Not before {latest.effective_from}",
                    ]
                },
                english="The change cannot take effect before the entry in force began ({since})",
                since=latest.effective_from.isoformat(),
            )
        before = {field: getattr(latest, field) for field in ENTRY_FIELDS}
        values = {
            field: body[field] if body.get(field) is not None else before[field] for field in ENTRY_FIELDS
        }
        if values == before:
            raise InvalidInputError("没有需要保存的变更")
        _check_entry(session, values, code)
        before_posts = _allocation(latest).posts
        reason = body.get("reason") or ""
        if effective_from == latest.effective_from:
            for field, value in values.items():
                setattr(latest, field, value)
            latest.reason, latest.recorded_by, latest.recorded_at = reason, admin.username, ctx.clock.now()
            version = latest
        else:
            latest.effective_to = effective_from
            session.flush()
            version = _new_version(ctx, session, admin, code, values, effective_from, reason)
        for field, value in values.items():
            setattr(village, field, value)
        audit.record(
            session,
            ctx.clock.now(),
            admin.username,
            "village_changed",
            village=code,
            effective_from=effective_from.isoformat(),
            correction=version is latest,
            reason=reason,
            before={**before, "posts": before_posts},
            after={**values, "posts": _allocation(version).posts},
        )
        return _entry(version)


def _new_version(
    ctx: ServiceContext,
    session: Session,
    admin: Caller,
    code: str,
    values: dict[str, Any],
    effective_from: date,
    reason: str,
) -> VillageVersionModel:
    version = VillageVersionModel(
        village_code=code,
        **values,
        effective_from=effective_from,
        effective_to=None,
        reason=reason,
        recorded_by=admin.username,
        recorded_at=ctx.clock.now(),
    )
    session.add(version)
    session.flush()
    return version


def _effective_from(ctx: ServiceContext, body: dict[str, Any]) -> date:
    chosen: date = body.get("effective_from") or today(ctx)
    if chosen > today(ctx):
        raise InvalidInputError(
            "生效日期不能晚于今天（{today}）：到期当天再登记",
            errors={"effective_from": [f"不晚于 {today(ctx)}", f"Not after {today(ctx)}"]},
            english="The change cannot take effect after today ({today}): enter it on its day",
            today=today(ctx).isoformat(),
        )
    return chosen


def _check_entry(session: Session, values: dict[str, Any], code: str | None) -> None:
    """The town exists and no other village of the register has the same Chinese name (pages and
    subjects name villages by it)."""
    if session.get(TownModel, values["town"]) is None:
        raise InvalidInputError(
            "镇不存在", errors={"town": ["所选的镇不存在", "The chosen town does not exist"]}
        )
    taken = session.scalars(
        select(VillageModel.code).where(VillageModel.name_zh == values["name_zh"])
    ).first()
    if taken is not None and taken != code:
        raise ConflictError("登记册中已有名为 {name} 的村（社区）", name=values["name_zh"])


def _new_code(session: Session, town: str) -> str:
    """A code for a village entered without one: the town's code and the next free number (``v-`` for a
    town code too long to leave room for the number in the 32 characters of the column)."""
    prefix = town if len(town) <= 27 else "v"
    used = set(session.scalars(select(VillageModel.code).where(VillageModel.code.like(f"{prefix}-%"))))
    number = len(used) + 1
    while f"{prefix}-{number:03d}" in used:
        number += 1
    return f"{prefix}-{number:03d}"


def _village(session: Session, code: str) -> VillageModel:
    village = session.get(VillageModel, code)
    if village is None:
        raise NotFoundError("村（社区）{code} 不存在", code=code)
    return village
