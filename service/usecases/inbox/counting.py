"""The inbox's counts: its section tabs and the navigation's badges, each bounded (bounded.py), each set
one round trip to the database whatever the size of the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.usecases.directory import Caller
from service.usecases.inbox.bounded import Count, count_upto
from service.usecases.inbox.listing import (
    EARLIER,
    SECTIONS,
    InboxQuery,
    T,
    filtered_work,
    held_by,
    my_work_statement,
)


def section_counts(ctx: ServiceContext, caller: Caller) -> dict[str, Count]:
    """How many tasks each section holds, up to the inbox's count bound (``section_statements``)."""
    with ctx.database.reading() as session:
        return read_counts(
            session, section_statements(caller, ctx.clock.now()), ctx.settings.inbox_count_bound
        )


def nav_counts(ctx: ServiceContext, caller: Caller) -> dict[str, Count]:
    """The navigation's badges: tasks the caller holds, and overdue tasks of their work (held or open)."""
    if not caller.departments:
        return {"mine": Count(0), "overdue": Count(0)}
    bound = ctx.settings.inbox_count_bound
    with ctx.database.reading() as session:
        return nav_from(read_counts(session, nav_statements(caller, ctx.clock.now()), bound), bound)


def section_statements(caller: Caller, now: datetime) -> dict[str, Select[Any]]:
    """Each section's tasks: the same conditions as the section's page (so a tab's count is its page's
    total), "returned to me" driven from the caller's completed steps (ix_human_tasks_completed_by)
    rather than tested on every open task."""
    work = my_work_statement(caller)
    sections: dict[str, Select[Any]] = {
        key: filtered_work(caller, InboxQuery(section=key), now, work)
        for key in SECTIONS
        if key != "returned"
    }
    done = (
        select(EARLIER.instance_id, EARLIER.spec_name)
        .where(EARLIER.completed_by == caller.username, EARLIER.state == "completed")
        .distinct()
        .subquery()
    )
    # An open task has no completer yet: saying so lets each of the caller's completed steps find the
    # open pass of its step by ix_human_tasks_completed_by alone (completed_by, instance_id, spec_name)
    # rather than read every task of the case (half the time for a clerk with 2,000 steps done).
    sections["returned"] = work.join(
        done,
        and_(
            done.c.instance_id == T.instance_id,
            done.c.spec_name == T.spec_name,
            T.completed_by.is_(None),
        ),
    )
    return sections


def nav_statements(caller: Caller, now: datetime) -> dict[str, Select[Any]]:
    """The navigation's badges: the caller's held tasks, held and overdue, and open overdue tasks.

    Index range reads that stop at the bound, never a pass over the departments' open tasks: all three
    from the covering ``ix_human_tasks_active_counts`` (department_code, state, due_at, claimed_by, ...),
    the caller's own in the range of the departments' claimed tasks (``held_by``), the open overdue ones
    in the range of open tasks due before now (tests/api/test_nav_count_plans.py).
    """
    work = my_work_statement(caller)
    held = work.where(held_by(caller))
    return {
        "mine": held,
        "held_overdue": held.where(T.due_at < now),
        "open_overdue": work.where(T.state == "open", T.due_at < now),
    }


def nav_from(counts: dict[str, Count], bound: int) -> dict[str, Count]:
    """The badges from the counts of ``nav_statements``: held, and overdue (held or open)."""
    return {"mine": counts["mine"], "overdue": counts["held_overdue"].plus(counts["open_overdue"], bound)}


def read_counts(session: Session, statements: dict[str, Select[Any]], bound: int) -> dict[str, Count]:
    """Each statement's count up to ``bound``, all in one query (one round trip)."""
    row = session.execute(
        select(*(count_upto(statement, bound + 1).label(key) for key, statement in statements.items()))
    ).one()
    return {key: Count.of(found or 0, bound) for key, found in zip(statements, row, strict=True)}
