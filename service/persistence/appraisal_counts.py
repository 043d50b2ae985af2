"""The appraisal dashboard's counts by month and town (``appraisal_counts``): adding to them, rebuilding them.

The use cases that start a month, record a veto decision and confirm a grade add their deltas with
``add_counts`` in their own transaction. It is one ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``
(PostgreSQL and SQLite spell it alike): two transactions adding to the same row both count, the second
waiting on the first's row lock, and none reads a total to write it back.

``rebuild`` computes the whole table from the rows it counts, in SQL. Migration 0022 fills the table with
it, and so do the benchmark and the tests that insert history directly (as the import of a year's
records would). Should the table's columns change, that migration keeps a copy of this query as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, literal, select, text, true, union_all
from sqlalchemy.dialects import postgresql, sqlite

from service.persistence.models import (
    ACTIVE_TASK,
    AppraisalCountModel,
    AppraisalRecordModel,
    AppraisalStartModel,
    AuditEventModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
)
from service.persistence.rows import table_of

GRADE_COLUMNS = ("excellent", "competent", "basically_competent", "incompetent")
COUNT_COLUMNS = ("started", "appraised", *GRADE_COLUMNS, "vetoes", "vetoes_confirmed")
KEY = ("month", "town")
# A veto counts from the decision of the town government's task, which the audit trail keeps until the
# grade is confirmed and the record takes over (service/usecases/appraisal_vetoes.py).
DECISION_TASK, CONFIRM_TASK = "veto_decision", "confirm_grade"


def add_counts(connection: Connection, deltas: Iterable[dict[str, Any]]) -> None:
    """Add each ``{"month", "town", column: n, ...}`` to its row (made if missing); columns left out add 0.

    Rows are written in (month, town) order, so two transactions adding to several rows take their locks
    in the same order and cannot deadlock on them.
    """
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for delta in deltas:
        unknown = set(delta) - {*KEY, *COUNT_COLUMNS}
        if unknown:  # a grade the table has no column for must not vanish from the counts
            raise ValueError(f"appraisal_counts has no column {sorted(unknown)}")
        key = (str(delta["month"]), str(delta["town"]))
        row = merged.setdefault(key, {"month": key[0], "town": key[1], **dict.fromkeys(COUNT_COLUMNS, 0)})
        for column in COUNT_COLUMNS:
            row[column] += int(delta.get(column, 0))
    rows = [row for key, row in sorted(merged.items()) if any(row[c] for c in COUNT_COLUMNS)]
    if not rows:
        return
    table = table_of(AppraisalCountModel)
    insert_of = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert_of(table).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(KEY),
            set_={column: table.c[column] + statement.excluded[column] for column in COUNT_COLUMNS},
        )
    )


def _columns(**values: Any) -> list[Any]:
    return [values.get(column, literal(0)).label(column) for column in COUNT_COLUMNS]


def counted_rows() -> Any:
    """SELECT month, town and every count, grouped, computed from the rows the projection counts."""
    starts = (
        select(AppraisalStartModel.month, OfficerModel.town, *_columns(started=func.count()))
        .join(OfficerModel, OfficerModel.id == AppraisalStartModel.officer_id)
        .group_by(AppraisalStartModel.month, OfficerModel.town)
    )
    record = AppraisalRecordModel
    vetoed = func.sum(case((record.veto == true(), 1), else_=0))
    records = select(
        record.month,
        record.town,
        *_columns(
            appraised=func.count(),
            vetoes=vetoed,
            vetoes_confirmed=vetoed,
            **{g: func.sum(case((record.grade == g, 1), else_=0)) for g in GRADE_COLUMNS},
        ),
    ).group_by(record.month, record.town)
    # Decided and not confirmed yet: the instance waits at the confirmation, its decision in the trail.
    month_of = func.substr(InstanceModel.business_key, 1, 7)
    decided = (
        select(month_of.label("month"), DepartmentModel.town, HumanTaskModel.instance_id)
        .select_from(HumanTaskModel)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .join(AuditEventModel, AuditEventModel.instance_id == HumanTaskModel.instance_id)
        .join(DepartmentModel, DepartmentModel.code == AuditEventModel.department_code)
        .where(
            text(f"human_tasks.{ACTIVE_TASK}"),
            HumanTaskModel.process_id == "appraisal",
            HumanTaskModel.spec_name == CONFIRM_TASK,
            AuditEventModel.action == "task_completed",
            AuditEventModel.payload["element"].as_string() == DECISION_TASK,
            AuditEventModel.payload[("submitted", "veto")].as_boolean() == true(),
        )
        .distinct()
        .subquery()
    )
    pending = select(decided.c.month, decided.c.town, *_columns(vetoes=func.count())).group_by(
        decided.c.month, decided.c.town
    )
    every = union_all(starts, records, pending).subquery()
    return select(
        every.c.month, every.c.town, *[func.sum(every.c[column]).label(column) for column in COUNT_COLUMNS]
    ).group_by(every.c.month, every.c.town)


def rebuild(connection: Connection) -> int:
    """Replace every row of the projection with the counts of the rows it counts; the number of rows."""
    table = table_of(AppraisalCountModel)
    connection.execute(delete(table))
    connection.execute(insert(table).from_select([*KEY, *COUNT_COLUMNS], counted_rows()))
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)
