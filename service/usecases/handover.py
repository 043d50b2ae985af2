"""A department head hands a task over: takes it over or gives it to another member, with a reason.

Apart from the queue actions (service/usecases/tasks.py) because it is the head's, not the member's: it
answers to the head, checks the member the task goes to, and records why in the audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service import audit
from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, MembershipModel, UserModel
from service.usecases.directory import Caller
from service.usecases.duties import check_not_done_by, check_not_subject, check_separation
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError
from service.usecases.notifications.raising import on_handover
from service.usecases.tasks import locked_task, open_task_data, set_claim, specs_of_instance

REASON_MAX = 1000


def reassign_task(
    ctx: ServiceContext, caller: Caller, task_id: str, username: str, reason: str
) -> dict[str, Any]:
    """A department head gives an open or claimed task to a member of the department (or to themselves,
    taking it over), saying why; the reason is kept in the ``task_reassigned`` event."""
    reason = reason.strip()
    if not reason:
        raise InvalidInputError(
            "请填写改派理由",
            errors={"reason": ["请填写改派理由", "Give the reason for the reassignment"]},
        )
    with ctx.database.transaction() as session:
        task = locked_task(session, caller, task_id)
        if not caller.heads(task.department_code):
            raise ForbiddenError("只有部门负责人可以改派本部门的任务")
        if task.state not in OPEN_STATES:
            raise ConflictError("该任务已办结或已取消，不能改派")
        member = session.execute(
            select(UserModel.officer_id, MembershipModel.is_head)
            .select_from(MembershipModel)
            .join(UserModel, UserModel.id == MembershipModel.user_id)
            .where(
                UserModel.username == username,
                UserModel.is_active.is_(True),
                MembershipModel.department_code == task.department_code,
            )
        ).first()
        if member is None:
            raise InvalidInputError(
                "{username} 不是本部门的在职人员，不能接收该任务",
                errors={"username": ["不是本部门人员", "Not a member of this department"]},
                username=username,
            )
        if task.head_only and not member.is_head:
            # Given to plain staff, the task would sit where its holder can neither see nor do it.
            raise InvalidInputError(
                "该任务只能由部门负责人办理，不能改派给 {username}",
                errors={
                    "username": [
                        "该任务只能由部门负责人办理",
                        "Only a head of the department may do this task",
                    ]
                },
                username=username,
            )
        # The rules of the model hold for the user the task is given to, as if they claimed it.
        info = specs_of_instance(ctx, session, task.instance_id).user_task(task.process_id, task.spec_name)
        check_separation(session, username, task, info, assignee=True)
        check_not_subject(
            member.officer_id, task, info, lambda: open_task_data(ctx, session, task), assignee=username
        )
        check_not_done_by(username, task, info, lambda: open_task_data(ctx, session, task), assignee=True)
        now = ctx.clock.now()
        audit.record(
            session,
            now,
            caller.username,
            "task_reassigned",
            instance_id=task.instance_id,
            task_id=task.id,
            department_code=task.department_code,
            from_user=task.claimed_by,
            to_user=username,
            reason=reason[:REASON_MAX],
        )
        # A head taking a task over, or giving it to whoever holds it already, needs no word of it.
        if username not in (caller.username, task.claimed_by):
            on_handover(session, now, caller.username, "reassigned", task._asdict(), username=username)
        # Whoever held it is told it went to someone else (not a head taking back their own).
        if task.claimed_by not in (None, username, caller.username):
            on_handover(session, now, username, "handed_away", task._asdict(), username=task.claimed_by)
        return set_claim(session, task, "claimed", username, now)


def handover_choices(ctx: ServiceContext, caller: Caller, department: str) -> list[dict[str, Any]]:
    """The active members a head may give a task of ``department`` to, by display name; empty for anyone
    who does not head it (the page then offers no handover at all)."""
    if not caller.heads(department):
        return []
    with ctx.database.reading() as session:
        rows = session.execute(
            select(UserModel.username, UserModel.display_name, MembershipModel.is_head)
            .select_from(MembershipModel)
            .join(UserModel, UserModel.id == MembershipModel.user_id)
            .where(MembershipModel.department_code == department, UserModel.is_active.is_(True))
            .order_by(UserModel.display_name, UserModel.username)
        )
        return [
            {"username": row.username, "display_name": row.display_name, "is_head": bool(row.is_head)}
            for row in rows
        ]
