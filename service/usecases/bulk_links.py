"""Which steps of a department its members may complete in a table (issue 15, point 1): the links to
bulk scoring on the queue page and in the inbox, with how many tasks each holds (bulk_scoring.py does the
table itself)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.specs.defaults import UserTask
from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, DefinitionModel, HumanTaskModel
from service.usecases import tasks
from service.usecases.directory import Caller
from service.usecases.inbox.bounded import Count, count_upto
from service.usecases.own_cases import hide_own
from workflows.extensions import UserTaskInfo, user_task_info
from workflows.form_columns import ColumnError, form_columns


def bulk_steps(ctx: ServiceContext, caller: Caller, department: str) -> list[dict[str, Any]]:
    """The steps of ``department`` with open tasks the caller may complete in a table, with their counts
    up to the inbox's count bound (the queue page and the inbox link each: 批量评分, "1,000+ 项待办")."""
    if not caller.in_department(department):
        return []
    with ctx.database.reading() as session:
        return read_bulk_steps(ctx, session, caller, department)


def read_bulk_steps(
    ctx: ServiceContext, session: Session, caller: Caller, department: str, newest: int | None = None
) -> list[dict[str, Any]]:
    """``bulk_steps`` in a session the caller holds (the newest definition's id when read already)."""
    if not caller.in_department(department):
        return []
    bound = ctx.settings.inbox_count_bound
    counts: dict[str, Count] = {}
    names: dict[str, UserTaskInfo] = {}
    scored: dict[str, bool] = {}
    # The candidates come from the newest models (which steps are tables, in which lane), not from
    # grouping the department's open tasks: that read every row of the department (25,200 for the
    # bureau at 140,000 open tasks, its largest read on the inbox page) to find none.
    for process_id, info, with_scores in _bulk_candidates(ctx, session, newest):
        if not _lane_reaches(info.lane, department):
            continue
        found = session.scalar(select(count_upto(_open(caller, department, process_id, info), bound + 1)))
        if found:
            # One link per step even where two processes share its id, as the table is by step.
            count = counts.get(info.spec_name, Count(0)).plus(Count.of(found, bound), bound)
            counts[info.spec_name] = count
            names.setdefault(info.spec_name, info)
            scored[info.spec_name] = scored.get(info.spec_name, False) or with_scores
    return [
        {
            "step": step,
            "name_zh": names[step].name_zh,
            "name_en": names[step].name_en,
            "open": count.value,
            "open_is_lower_bound": count.more,
            # Scores (a column with a maximum: 批量评分) or other entries (a training's results: 批量办理).
            "scored": scored[step],
        }
        for step, count in sorted(counts.items())
    ]


def _open(caller: Caller, department: str, process_id: str, info: UserTaskInfo) -> Select[Any]:
    """The open tasks of the step in the department offered to the caller (head-only ones to heads, as
    the queue offers them), read from the queue's own partial index (the literal ACTIVE_TASK)."""
    return hide_own(
        select(HumanTaskModel).where(
            HumanTaskModel.department_code == department,
            text(ACTIVE_TASK),
            tasks._offered_to(caller),
            HumanTaskModel.process_id == process_id,
            HumanTaskModel.spec_name == info.spec_name,
        ),
        caller,
        HumanTaskModel.instance_id,
    )


_CANDIDATES: dict[tuple[int, int | None], list[tuple[str, UserTaskInfo, bool]]] = {}


def _bulk_candidates(
    ctx: ServiceContext, session: Session, newest: int | None
) -> list[tuple[str, UserTaskInfo, bool]]:
    """(process, step, whether its table has scores) of every user task the newest model of its process
    completes in a table; read again only when a definition is deployed (the newest id changes)."""
    if newest is None:
        newest = session.scalar(select(func.max(DefinitionModel.id)))
    key = (id(ctx), newest)
    if key not in _CANDIDATES:
        each = select(DefinitionModel.process_id, func.max(DefinitionModel.id)).group_by(
            DefinitionModel.process_id
        )
        found = []
        for process_id, definition_id in session.execute(each):
            try:
                specs = ctx.specs_for_definition(session, definition_id)
                top, subs = specs.spec_for(process_id)
            except (LookupError, KeyError):
                continue
            for wf_spec in (top, *subs.values()):
                for task_spec in wf_spec.task_specs.values():
                    if isinstance(task_spec, UserTask) and (info := user_task_info(task_spec)).bulk_complete:
                        found.append((process_id, info, _scored(specs.forms.get(info.form or "") or {})))
        _CANDIDATES.clear()
        _CANDIDATES[key] = found
    return _CANDIDATES[key]


def _scored(schema: dict[str, Any]) -> bool:
    """Whether a step's table has scores (a column with a maximum, as the appraisal's)."""
    try:
        return any(column.maximum is not None for column in form_columns(schema))
    except ColumnError:  # the table refuses such a form when opened
        return False


def _lane_reaches(lane: str, department: str) -> bool:
    """Whether a lane (``police_station:{town}`` or a plain code) resolves to ``department``: a task's
    department is its lane's, resolved when it became ready, and never changes afterwards."""
    if "{" not in lane:
        return lane == department
    return department.startswith(lane.split("{", 1)[0])
