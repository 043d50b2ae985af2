"""Everything the inbox page reads, in one session (issue 15): the page, the section tabs and the
navigation's badges (one counting query between them), the filters' choices, the saved filters and the
bulk scoring links of each department.

Read one use case at a time, the page opened seven sessions and sent about twenty statements, a third of
them the same lookups again (the newest definition three times, the towns twice); on the loaded 2-core
machine each round trip to PostgreSQL waits its turn for a core, so their number, more than the rows
they read, decided how long the page took. Here: one transaction (one consistent snapshot besides) and
each lookup once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.context import ServiceContext
from service.usecases.bulk_links import read_bulk_steps
from service.usecases.directory import Caller
from service.usecases.inbox.bounded import Count
from service.usecases.inbox.counting import nav_from, nav_statements, read_counts, section_statements
from service.usecases.inbox.filters import read_choices
from service.usecases.inbox.listing import InboxPage, InboxQuery, newest_definition, read_page
from service.usecases.inbox.saved import read_saved

_BADGES_ONLY = ("held_overdue", "open_overdue")


@dataclass(frozen=True)
class InboxView:
    """What the inbox page shows besides its template's own words."""

    page: InboxPage
    sections: dict[str, Count]
    nav: dict[str, Count] | None  # None: the caller belongs to no department (no badges)
    choices: dict[str, list[dict[str, str]]]
    saved: list[dict[str, Any]]
    bulk: dict[str, list[dict[str, Any]]]  # department -> its bulk scoring links


def inbox_view(ctx: ServiceContext, caller: Caller, query: InboxQuery, page: int, per_page: int) -> InboxView:
    """The inbox page's reads (``inbox_page``, ``section_counts``, ``nav_counts``, ``choices``,
    ``saved_filters``, ``bulk_steps`` per department) in one read-only transaction."""
    bound = ctx.settings.inbox_count_bound
    now = ctx.clock.now()
    with ctx.database.reading() as session:
        newest = newest_definition(session)
        listed = read_page(ctx, session, caller, query, page, per_page, newest)
        statements = section_statements(caller, now)
        if caller.departments:
            # The badge's held tasks are the "claimed by me" tab's: counted once.
            badges = nav_statements(caller, now)
            statements |= {key: badges[key] for key in _BADGES_ONLY}
        counts = read_counts(session, statements, bound)
        nav = nav_from(counts, bound) if caller.departments else None
        return InboxView(
            page=listed,
            sections={key: count for key, count in counts.items() if key not in _BADGES_ONLY},
            nav=nav,
            choices=read_choices(ctx, session, caller, newest),
            saved=read_saved(session, caller),
            bulk={
                department: read_bulk_steps(ctx, session, caller, department, newest)
                for department in sorted(caller.departments)
            },
        )
