"""The station's list of its officers' monthly reports still waiting in their own queues (issue 17, point 7):
where a clerk finds the report of an officer without an account, to enter it from the signed paper sheet
(service/usecases/on_behalf.py takes the task)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, HumanTaskModel, UserModel
from service.usecases.directory import Caller, personal_queue
from service.usecases.field_reports import PROCESS_ID, REPORT_TASK
from service.usecases.names import person_names

STATION_KIND = "police_station"  # the model's `onBehalfBy` of the report task: police_station:{town}


def awaiting_entry(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """The open report tasks of the officers of the caller's stations' towns, in the officers' own queues,
    soonest due first: whether the officer has an account, and who holds the task if the officer does."""
    stations = (code for code in caller.memberships if code.startswith(f"{STATION_KIND}:"))
    towns = sorted(code.partition(":")[2] for code in stations)
    if not towns:  # the entry is the stations' (the model's `onBehalfBy`): nobody else has reports to enter
        return []
    now = ctx.clock.now()
    with ctx.database.reading() as session:
        tasks = list(
            session.scalars(
                select(HumanTaskModel)
                .where(
                    text(ACTIVE_TASK),
                    HumanTaskModel.process_id == PROCESS_ID,
                    HumanTaskModel.spec_name == REPORT_TASK,
                    HumanTaskModel.department_code.like("officer:%"),
                    HumanTaskModel.town.in_(towns),
                )
                .order_by(HumanTaskModel.due_at, HumanTaskModel.subject, HumanTaskModel.id)
            )
        )
        officers = {task.department_code: int(task.department_code.partition(":")[2]) for task in tasks}
        accounts: dict[int | None, int] = {
            officer_id: count
            for officer_id, count in session.execute(
                select(UserModel.officer_id, func.count())
                .where(UserModel.officer_id.in_(sorted(set(officers.values()))))
                .where(UserModel.is_active.is_(True))
                .group_by(UserModel.officer_id)
            )
        }
        holders = person_names(session, {task.claimed_by for task in tasks if task.claimed_by})
    return [
        {
            "task_id": task.id,
            "instance_id": task.instance_id,
            "officer_id": officers[task.department_code],
            "subject": task.subject,
            "town": task.town,
            "due_at": task.due_at,
            "overdue": task.due_at is not None and task.due_at < now,
            "has_account": accounts.get(officers[task.department_code], 0) > 0,
            "claimed_by_officer": task.state == "claimed",
            "claimed_by_name": holders[task.claimed_by].zh if task.claimed_by in holders else task.claimed_by,
        }
        for task in tasks
        if task.department_code == personal_queue(officers[task.department_code])
    ]
