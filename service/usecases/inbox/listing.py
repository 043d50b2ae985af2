"""The inbox: the open tasks of all the caller's departments and the ones they hold, in one list.

"My work" is a task that is open in one of the caller's departments (a head-only one only where they are
head, as the queues offer them) or claimed by the caller. Sections narrow it: claimed by me, open (nobody
holds it), due soon (within three days), overdue, returned to me. A task is *returned to me* when the
caller completed an earlier pass of the same step of the same case (the plan they drafted, sent back for
redraft): the queue keeps every pass as its own row, so this is read from the rows, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, text, union_all
from sqlalchemy.orm import Session, aliased

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, DefinitionModel, HumanTaskModel, TownModel
from service.usecases.directory import Caller, is_personal_queue, personal_queue
from service.usecases.inbox.bounded import Count, count_upto
from service.usecases.instances import Page
from service.usecases.names import Name, department_names, person_names, process_names, village_names
from service.usecases.own_cases import instances_about
from workflows.ports import CHINA

T = HumanTaskModel
EARLIER = aliased(HumanTaskModel, name="earlier")
SECTIONS = ("all", "mine", "open", "due_soon", "overdue", "returned")
DUE_CHOICES = ("any", "overdue", "today", "3days")
SORTS = ("due", "created", "process", "village")
DUE_SOON = timedelta(days=3)
# What an officer's own queue (``officer:<id>``) is called where a department's name would stand.
OWN_QUEUE = ("本人事项", "My own tasks")


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox shows: a section, filters (empty: any) and an order."""

    section: str = "all"
    process: str = ""
    step: str = ""
    town: str = ""
    village: str = ""
    due: str = "any"
    sort: str = "due"

    def cleaned(self) -> InboxQuery:
        """Unknown choices fall back to the defaults (a hand-edited or old saved query still opens)."""
        return replace(
            self,
            section=self.section if self.section in SECTIONS else "all",
            due=self.due if self.due in DUE_CHOICES else "any",
            sort=self.sort if self.sort in SORTS else "due",
        )


def my_work(caller: Caller) -> ColumnElement[bool]:
    """Open in the caller's departments (head-only ones where they head it), or held by the caller."""
    departments = sorted(caller.departments) or [""]
    offered: ColumnElement[bool] = T.head_only.is_(False)
    if caller.heads_of:
        offered = or_(offered, T.department_code.in_(sorted(caller.heads_of)))
    return and_(
        text(ACTIVE_TASK),  # literal: SQLite matches the partial indexes on it
        T.department_code.in_(departments),
        offered,
        or_(T.state == "open", T.claimed_by == caller.username),
    )


def my_work_statement(caller: Caller) -> Select[HumanTaskModel]:
    """The caller's open work, without their own officer's cases but for the tasks of their own queue
    (an officer's report of the month is about them and theirs to do)."""
    work = select(T).where(my_work(caller))
    if caller.officer_id is None:
        return work
    own_queue = T.department_code == personal_queue(caller.officer_id)
    return work.where(or_(own_queue, T.instance_id.not_in(instances_about(caller.officer_id))))


def held_by(caller: Caller) -> ColumnElement[bool]:
    """Held by the caller: claimed, by them. An active task someone holds is always ``claimed`` (a claim
    sets both, a release both back: tasks.set_claim, on_behalf), so saying the state too is the same set
    of tasks, and it makes the read an index range of the departments' *claimed* tasks, (department_code,
    state='claimed') of ``ix_human_tasks_active_counts``, whatever their open tasks number, on both
    databases. The earlier form, the ids of ``claimed_by = ?`` from ix_human_tasks_active_claimed as a
    subquery, was planned by SQLite as a scan of the whole task table whenever its statistics saw (as they
    do at every volume) almost no active task held: ``claimed_by`` NULL on all of them, so the index looked
    as wide as the table (95 ms a page for the sub-bureau at 140,000 open tasks; docs/benchmarks.md,
    "The navigation's counts ...")."""
    return and_(T.state == "claimed", T.claimed_by == caller.username)


def _returned(caller: Caller) -> ColumnElement[bool]:
    """An earlier pass of the same step of the same case completed by the caller (driven from the steps
    the caller completed: ix_human_tasks_completed_by)."""
    done_by_me = select(EARLIER.instance_id).where(
        EARLIER.completed_by == caller.username, EARLIER.state == "completed"
    )
    same_step = exists().where(
        EARLIER.instance_id == T.instance_id,
        EARLIER.spec_name == T.spec_name,
        EARLIER.completed_by == caller.username,
        EARLIER.state == "completed",
        EARLIER.id != T.id,
    )
    return and_(T.instance_id.in_(done_by_me), same_step)


def _end_of_today(now: datetime) -> datetime:
    day = now.astimezone(CHINA).date()
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA)


def _section(key: str, caller: Caller, now: datetime) -> ColumnElement[bool] | None:
    # Only the section asked for is built: SQLAlchemy's expression building is much of a page's
    # Python time, and every page and count builds its conditions afresh.
    if key == "mine":
        return held_by(caller)
    if key == "open":
        return T.state == "open"
    if key == "due_soon":
        return and_(T.due_at >= now, T.due_at < now + DUE_SOON)
    if key == "overdue":
        return T.due_at < now
    if key == "returned":
        return _returned(caller)
    return None


def _due(key: str, now: datetime) -> ColumnElement[bool] | None:
    if key == "overdue":
        return T.due_at < now
    if key == "today":
        return T.due_at < _end_of_today(now)
    if key == "3days":
        return T.due_at < now + DUE_SOON
    return None


def filtered_work(
    caller: Caller, query: InboxQuery, now: datetime, work: Select[HumanTaskModel] | None = None
) -> Select[HumanTaskModel]:
    """The caller's work (``work``, when the caller built it already) narrowed by ``query``."""
    statement = work if work is not None else my_work_statement(caller)
    for condition in (_section(query.section, caller, now), _due(query.due, now)):
        if condition is not None:
            statement = statement.where(condition)
    for column, value in (
        (T.process_id, query.process),
        (T.spec_name, query.step),
        (T.town, query.town),
        (T.village_code, query.village),
    ):
        if value:
            statement = statement.where(column == value)
    return statement


def _order(sort: str) -> tuple[Any, ...]:
    by_due = (T.due_at.is_(None), T.due_at)
    return {
        "process": (T.process_id, T.spec_name, *by_due),
        "village": (T.village_code.is_(None), T.village_code, *by_due),
    }[sort]


@dataclass
class InboxPage(Page):
    """A page of the inbox; past the bound its ``total`` is a lower bound (shown as "1,000+")."""

    total_is_lower_bound: bool = False


def inbox_page(ctx: ServiceContext, caller: Caller, query: InboxQuery, page: int, per_page: int) -> InboxPage:
    """One page of the caller's work, each row with the names people read (``row`` below), and how many
    there are up to the inbox's count bound (and never fewer than this page reaches: the pager can go on)."""
    with ctx.database.reading() as session:
        return read_page(ctx, session, caller, query, page, per_page)


def read_page(
    ctx: ServiceContext,
    session: Session,
    caller: Caller,
    query: InboxQuery,
    page: int,
    per_page: int,
    newest: int | None = None,
) -> InboxPage:
    """``inbox_page`` in a session the caller holds (the web page reads everything in one)."""
    query = query.cleaned()
    now = ctx.clock.now()
    offset = (page - 1) * per_page
    statement = filtered_work(caller, query, now)
    departments = sorted(caller.departments)
    if query.sort == "due":
        # By due date, tasks without one last: the dated ones in (due_at, id) order, then the others by
        # creation, so both read the indexes in order (a "due_at IS NULL" sort key would sort them all).
        dated = statement.where(T.due_at.is_not(None))
        ids = _page_ids(session, dated, T.due_at, offset, per_page, departments)
        if len(ids) < per_page:
            # The dated ones ran out on this page: there are offset + len(ids) of them, or (none on this
            # page) at most offset, so their count stops there too.
            with_due = offset + len(ids) if ids else session.scalar(select(count_upto(dated, offset)))
            rest = max(0, offset - (with_due or 0))
            undated = statement.where(T.due_at.is_(None))
            ids += _page_ids(session, undated, T.created_at, rest, per_page - len(ids), departments)
    elif query.sort == "created":
        ids = _page_ids(session, statement, T.created_at, offset, per_page, departments)
    else:
        ordered = statement.with_only_columns(T.id).order_by(*_order(query.sort), T.id)
        ids = list(session.scalars(ordered.offset(offset).limit(per_page)))
    bound = max(ctx.settings.inbox_count_bound, offset + per_page)
    total = Count.of(session.scalar(select(count_upto(statement, bound + 1))) or 0, bound)
    rows = session.execute(select(T, _returned_flag(caller)).where(T.id.in_(ids))).all() if ids else []
    found = {task.id: (task, returned) for task, returned in rows}
    tasks = [found[task_id][0] for task_id in ids if task_id in found]
    returned = {task_id for task_id, (_task, flag) in found.items() if flag}
    names = _Names(ctx, session, tasks, newest)
    items = [names.row(task, now, task.id in returned, caller) for task in tasks]
    return InboxPage(items, total.value, page, per_page, total.more)


def _page_ids(
    session: Session, statement: Select[Any], key: Any, offset: int, limit: int, departments: list[str]
) -> list[str]:
    """The ids of one page ordered by ``key`` then id. Over several departments, each department's first
    ``offset + limit`` rows are read in index order (department_code, key, id) and merged: an IN over the
    departments would sort every row of them for each page."""
    if limit <= 0:
        return []
    if len(departments) <= 1:
        ordered = statement.with_only_columns(T.id).order_by(key, T.id)
        return list(session.scalars(ordered.offset(offset).limit(limit)))
    parts = [
        select(
            statement.where(T.department_code == department)
            .with_only_columns(T.id, key.label("k"))
            .order_by(key, T.id)
            .limit(offset + limit)
            .subquery()
        )
        for department in departments
    ]
    merged = union_all(*parts).subquery()
    return list(
        session.scalars(select(merged.c.id).order_by(merged.c.k, merged.c.id).offset(offset).limit(limit))
    )


def _returned_flag(caller: Caller) -> Any:
    """Whether a row of the page is returned to the caller, read with the row: the caller completed an
    earlier pass of its step of its case (one probe of ix_human_tasks_completed_by per row)."""
    return (
        exists()
        .where(
            EARLIER.completed_by == caller.username,
            EARLIER.instance_id == T.instance_id,
            EARLIER.spec_name == T.spec_name,
            EARLIER.state == "completed",
        )
        .label("returned")
    )


_CACHE: dict[tuple[int, int | None], dict[str, Name]] = {}


def newest_definition(session: Session) -> int | None:
    return session.scalar(select(func.max(DefinitionModel.id)))


def cached_process_names(ctx: ServiceContext, session: Session, newest: int | None = None) -> dict[str, Name]:
    """The processes' names, read again only when a definition is deployed (the newest id changes; pass
    it when read already)."""
    key = (id(ctx), newest if newest is not None else newest_definition(session))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = process_names(ctx, session)
    return _CACHE[key]


class _Names:
    """The names of one page's codes, each looked up once for the page."""

    def __init__(
        self, ctx: ServiceContext, session: Session, tasks: list[HumanTaskModel], newest: int | None
    ) -> None:
        self.departments = department_names(session)
        self.processes = cached_process_names(ctx, session, newest) if tasks else {}
        self.people = person_names(session, [task.claimed_by or "" for task in tasks])
        self.villages = village_names(session, [task.village_code or "" for task in tasks])
        self.towns = town_names(session)

    def row(self, task: HumanTaskModel, now: datetime, returned: bool, caller: Caller) -> dict[str, Any]:
        def both(names: dict[str, Name], code: str | None) -> tuple[str, str]:
            name = names.get(code or "")
            return (name.zh, name.en) if name else (code or "", code or "")

        process = both(self.processes, task.process_id)
        own = is_personal_queue(task.department_code)
        department = OWN_QUEUE if own else both(self.departments, task.department_code)
        village = both(self.villages, task.village_code)
        town = both(self.towns, task.town)
        holder = both(self.people, task.claimed_by) if task.claimed_by else ("", "")
        return {
            "id": task.id,
            "instance_id": task.instance_id,
            "process_id": task.process_id,
            "process_name_zh": process[0],
            "process_name_en": process[1],
            "spec_name": task.spec_name,
            "name_zh": task.name_zh,
            "name_en": task.name_en,
            "department_code": task.department_code,
            "department_name_zh": department[0],
            "department_name_en": department[1],
            "subject": task.subject,
            "village_code": task.village_code,
            "village_name_zh": village[0],
            "village_name_en": village[1],
            "town": task.town,
            "town_name_zh": town[0],
            "town_name_en": town[1],
            "state": task.state,
            "claimed_by": task.claimed_by,
            "claimed_by_name": holder[0],
            "head_only": task.head_only,
            "due_at": task.due_at,
            "created_at": task.created_at,
            "overdue": task.due_at is not None and task.due_at < now,
            "due_soon": task.due_at is not None and now <= task.due_at < now + DUE_SOON,
            "returned": returned,
            "claimable": task.state == "open",
            "mine": task.claimed_by == caller.username,
        }


def town_names(session: Session) -> dict[str, Name]:
    rows = session.execute(select(TownModel.code, TownModel.name_zh, TownModel.name_en))
    return {row.code: Name(row.name_zh, row.name_en) for row in rows}
