"""Counts that stop at a bound: the inbox shows "1,000+" rather than counting every open task.

An exact ``count(*)`` of a person's work reads every open task of their departments (25,200 index entries
for the bureau head at 140,000 open tasks), on every page and every tab, and grows with the queue while the
page's rows do not. Nobody works through the thousandth task by counting it: past a bound the inbox says
"1,000+", as Camunda's and Flowable's task lists and GitHub's counters do, and people filter. Counting stops
after ``bound + 1`` rows of the same index range the page reads: ``SELECT count(*) FROM (SELECT 1 ... LIMIT
bound + 1)``, so its cost no longer grows with the queue. docs/benchmarks.md, "Inbox at 140,000 open tasks",
says why this rather than per-department counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, Select, func, literal_column, select


@dataclass(frozen=True)
class Count:
    """How many, up to a bound: exactly ``value``, or more than ``value`` when ``more``."""

    value: int
    more: bool = False

    @classmethod
    def of(cls, found: int, bound: int) -> Count:
        """The count of a read that stopped after ``bound + 1`` rows (found: how many it read)."""
        return cls(bound, True) if found > bound else cls(found)

    def plus(self, other: Count, bound: int) -> Count:
        """The sum of two bounded counts, itself bounded (the navigation's overdue work: held and open)."""
        total = self.value + other.value
        return Count(min(total, bound), self.more or other.more or total > bound)


def count_upto(statement: Select[Any], limit: int) -> ScalarSelect[int]:
    """How many rows ``statement`` finds, reading at most ``limit`` of them (a scalar subquery, so several
    counts are one round trip)."""
    # The FROM stays the statement's (its columns' tables), named as tables: select_from(the mapped
    # class) inspected the mapper on every call, a millisecond each on the loaded machine.
    rows = (
        statement.with_only_columns(literal_column("1"), maintain_column_froms=True)
        .order_by(None)
        .limit(limit)
        .subquery()
    )
    return select(func.count()).select_from(rows).scalar_subquery()
