"""The auditors' search by what people know (issue 15, point 7): a person's display name, a department's
name, a village's name, an officer's name, an action's label and free text in the event's data.

Each filter becomes one SQL condition on ``audit_events``; the names are resolved inside the query (a
subquery of the users, departments, villages or officers whose name contains the text), so one search is
one statement whatever the names match. Text is matched as a substring, ignoring case, with ``%`` and ``_``
taken literally.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, false, or_, select, true

from service.persistence.models import (
    ApplicationModel,
    AuditEventModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    InstanceSubjectModel,
    OfficerModel,
    UserModel,
    VillageModel,
    VillageVersionModel,
)
from service.usecases import action_labels
from service.usecases.names import SERVICE_ACTORS

# The longest text searched for (a name, a label, a phrase of the data): longer text is refused (422).
MAX_TEXT = 100
ESCAPE = "\\"


def contains(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, its ``%``, ``_`` and escape character taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def _named(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(contains(text), escape=ESCAPE)  # type: ignore[no-any-return]


def by_person(text: str) -> ColumnElement[bool]:
    """Events whose actor's display name (or username) contains ``text``: 李科长, 科长, li."""
    people = select(UserModel.username).where(
        or_(_named(UserModel.display_name, text), _named(UserModel.username, text))
    )
    wanted = text.casefold()
    services = [
        actor
        for actor, names in SERVICE_ACTORS.items()
        if any(wanted in name.casefold() for name in (actor, *names))
    ]
    if not services:  # one IN: each matching user's events read from the (actor, at, id) index
        return AuditEventModel.actor.in_(people)
    return or_(AuditEventModel.actor.in_(people), AuditEventModel.actor.in_(services))


def by_department(text: str) -> ColumnElement[bool]:
    """Events of the departments whose code is ``text`` or whose name contains it: the event's
    department, or a task of the department."""
    codes = select(DepartmentModel.code).where(
        or_(
            DepartmentModel.code == text.strip(),
            _named(DepartmentModel.name_zh, text),
            _named(DepartmentModel.name_en, text),
        )
    )
    tasks = select(HumanTaskModel.id).where(HumanTaskModel.department_code.in_(codes))
    return or_(
        AuditEventModel.department_code.in_(codes),
        and_(AuditEventModel.department_code.is_(None), AuditEventModel.task_id.in_(tasks)),
    )


def _village_codes(text: str) -> Any:
    named_now = select(VillageModel.code).where(
        or_(
            VillageModel.code == text.strip(),
            _named(VillageModel.name_zh, text),
            _named(VillageModel.name_en, text),
        )
    )
    # A village renamed since is found by its earlier name too: the events were written under it.
    named_then = select(VillageVersionModel.village_code).where(
        or_(_named(VillageVersionModel.name_zh, text), _named(VillageVersionModel.name_en, text))
    )
    return named_now.union(named_then)


def _payload_text(key: str) -> Any:
    # A value of the event's data as text (SQLite's json_extract gives a number as a number).
    return cast(AuditEventModel.payload[key].as_string(), Text)


def _about(kind: str, refs: Any) -> Any:
    return select(InstanceSubjectModel.instance_id).where(
        InstanceSubjectModel.kind == kind, InstanceSubjectModel.ref.in_(refs)
    )


def by_village(text: str) -> ColumnElement[bool]:
    """Events about a village whose name (now or earlier) contains ``text``: the instances of its
    officers, applicants and posts, and the register's own changes of it."""
    codes = _village_codes(text).subquery()
    officers = select(OfficerModel.id).where(OfficerModel.village_code.in_(select(codes.c.code)))
    applications = select(ApplicationModel.id).where(ApplicationModel.village_code.in_(select(codes.c.code)))
    # A post's instance is keyed <campaign>/<village>/<slot>.
    posts = select(InstanceModel.id).where(
        InstanceModel.business_key.like("%/" + codes.c.code + "/%"),
    )
    return or_(
        AuditEventModel.instance_id.in_(_about("officer", officers)),
        AuditEventModel.instance_id.in_(_about("application", applications)),
        AuditEventModel.instance_id.in_(posts),
        _payload_text("village").in_(select(codes.c.code)),
    )


def by_officer(text: str) -> ColumnElement[bool]:
    """Events about an officer whose name contains ``text``: the instances about the officer (and about
    the application that made them one), and events whose data names the officer."""
    officers = select(OfficerModel.id).where(_named(OfficerModel.name, text))
    applications = select(OfficerModel.application_id).where(
        _named(OfficerModel.name, text), OfficerModel.application_id.is_not(None)
    )
    officer_text = select(cast(OfficerModel.id, Text)).where(_named(OfficerModel.name, text))
    return or_(
        AuditEventModel.instance_id.in_(_about("officer", officers)),
        AuditEventModel.instance_id.in_(_about("application", applications)),
        _payload_text("officer_id").in_(officer_text),
    )


def by_actions(codes: tuple[str, ...], label_text: str | None) -> ColumnElement[bool]:
    """Events of the chosen actions and of those whose label contains ``label_text``."""
    wanted = set(codes)
    if label_text:
        matching = action_labels.codes_matching(label_text)
        wanted = wanted & set(matching) if codes else set(matching)
    return AuditEventModel.action.in_(sorted(wanted)) if wanted else false()


def by_text(text: str, is_sqlite: bool) -> ColumnElement[bool]:
    """Events whose data, as JSON text, contains ``text`` (PostgreSQL: ignoring case; SQLite's LIKE
    ignores the case of ASCII letters)."""
    content = cast(AuditEventModel.payload, Text)
    # Text without upper and lower case (Chinese, digits) is found alike by LIKE and ILIKE, and LIKE
    # rechecks the trigram index's candidates 3.5 times faster (37 ms against 10.5 ms for the 2,470
    # events holding 群众投诉 in 7,000 officers' year): ILIKE folds the case of every event's whole text.
    if is_sqlite or text.lower() == text.upper():
        return content.like(contains(text), escape=ESCAPE)
    return content.ilike(contains(text), escape=ESCAPE)


def conditions(filters: Any, is_sqlite: bool) -> list[ColumnElement[bool]]:
    """The conditions of the people's filters of ``filters`` (an AuditFilters), all to hold."""
    found: list[ColumnElement[bool]] = []
    if filters.person:
        found.append(by_person(filters.person))
    if filters.department:
        found.append(by_department(filters.department))
    if filters.village:
        found.append(by_village(filters.village))
    if filters.officer:
        found.append(by_officer(filters.officer))
    if filters.actions or filters.action_label:
        found.append(by_actions(tuple(filters.actions), filters.action_label))
    if filters.text:
        found.append(by_text(filters.text, is_sqlite))
    return found or [true()]
