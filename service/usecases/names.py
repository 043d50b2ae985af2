"""The names people read in place of codes: departments, people, processes, towns and villages.

Pages, exports and diagrams show these (docs/design.md, "names, not codes"); the codes stay the keys the
service works with. Each lookup is one query for the whole set a page needs, never one per row.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.db import SHARED_MEMO
from service.persistence.models import DefinitionModel, DepartmentModel, TownModel, UserModel, VillageModel
from service.usecases.directory import DATA_DIR

# Actors that are not people: the service itself and its scheduler.
SERVICE_ACTORS = {
    "system": ("系统", "System"),
    "scheduler": ("定时任务", "Scheduler"),
    "cli": ("命令行", "Command line"),  # `auxpolice appraisal start-month` run by an operator
}


@dataclass(frozen=True)
class Name:
    """A name in both interface languages."""

    zh: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _memo(session: Session) -> dict[str, Any] | None:
    """The names already read in this session when it is a page's shared read (Database.shared_reading:
    one transaction that writes nothing, so a name read once stays right): the instance page's use cases
    and filters asked for the same departments, towns, people and villages up to four times each."""
    return session.info.get(SHARED_MEMO)  # type: ignore[no-any-return]


def department_names(session: Session) -> dict[str, Name]:
    """Every department's name by code (a few hundred at province scale: read whole)."""
    memo = _memo(session)
    if memo is not None and "departments" in memo:
        return dict(memo["departments"])
    rows = session.execute(select(DepartmentModel.code, DepartmentModel.name_zh, DepartmentModel.name_en))
    found = {row.code: Name(row.name_zh, row.name_en) for row in rows}
    if memo is not None:
        memo["departments"] = found
    return dict(found)


def _some(
    session: Session, kind: str, codes: set[str], read: Callable[[list[str]], dict[str, Name]]
) -> dict[str, Name]:
    """The names of ``codes``, reading only those this shared read has not read yet (misses remembered)."""
    memo = _memo(session)
    if memo is None:
        return read(sorted(codes)) if codes else {}
    known: dict[str, Name | None] = memo.setdefault(kind, {})
    missing = sorted(codes - known.keys())
    if missing:
        found = read(missing)
        known.update({code: found.get(code) for code in missing})
    return {code: name for code in codes if (name := known[code]) is not None}


def person_names(session: Session, usernames: Iterable[str]) -> dict[str, Name]:
    """The display names of these users (and of the service's own actors) by username."""
    wanted = {name for name in usernames if name}
    names = {actor: Name(*SERVICE_ACTORS[actor]) for actor in wanted & SERVICE_ACTORS.keys()}

    def read(people: list[str]) -> dict[str, Name]:
        rows = session.execute(
            select(UserModel.username, UserModel.display_name).where(UserModel.username.in_(people))
        )
        return {row.username: Name(row.display_name, row.display_name) for row in rows}

    names.update(_some(session, "people", wanted - names.keys(), read))
    return names


def towns(session: Session) -> list[dict[str, str]]:
    """Every town of the register (``code``, ``name_zh``, ``name_en``) as the administration keeps it, in
    the register's order: the shipped towns in their shipped order, then the towns added since by code."""
    memo = _memo(session)
    if memo is not None and "towns" in memo:
        return [dict(town) for town in memo["towns"]]
    shipped = _shipped_town_order()
    rows = session.execute(select(TownModel.code, TownModel.name_zh, TownModel.name_en))
    found = [{"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en} for row in rows]
    ordered = sorted(found, key=lambda town: (shipped.get(town["code"], len(shipped)), town["code"]))
    if memo is not None:
        memo["towns"] = ordered
    return [dict(town) for town in ordered]


@functools.cache
def _shipped_town_order() -> dict[str, int]:
    # The towns table has no column for an order; the shipped register's order (gushan before boyu) is
    # the one pages have always shown. It ships with the code: read once per process.
    shipped = json.loads((DATA_DIR / "villages.json").read_text(encoding="utf-8"))["towns"]
    return {town["code"]: position for position, town in enumerate(shipped)}


def village_names(session: Session, codes: Iterable[str]) -> dict[str, Name]:
    """These villages' names by code."""

    def read(wanted: list[str]) -> dict[str, Name]:
        rows = session.execute(
            select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en).where(
                VillageModel.code.in_(wanted)
            )
        )
        return {row.code: Name(row.name_zh, row.name_en) for row in rows}

    return _some(session, "villages", {code for code in codes if code}, read)


def process_names(ctx: ServiceContext, session: Session) -> dict[str, Name]:
    """Each deployed process's name, as its newest definition declares it (``name`` / ``nameEn``)."""
    newest = (
        select(DefinitionModel.process_id, func.max(DefinitionModel.id).label("definition_id"))
        .group_by(DefinitionModel.process_id)
        .subquery()
    )
    names = {}
    for process_id, definition_id in session.execute(select(newest.c.process_id, newest.c.definition_id)):
        try:
            specs = ctx.specs_for_definition(session, definition_id)
        except LookupError:  # the definition's files are missing: its code is all there is to show
            continue
        zh = specs.process_names.get(process_id, process_id)
        names[process_id] = Name(zh, specs.process_names_en.get(process_id, zh))
    return names


def villages_by_chinese_name(session: Session) -> dict[str, Name]:
    """Every village of the register (a few dozen per district) by its Chinese name: for text written in
    Chinese that names a village, such as a task's subject, shown on an English page."""
    rows = session.execute(select(VillageModel.name_zh, VillageModel.name_en))
    return {row.name_zh: Name(row.name_zh, row.name_en) for row in rows}
