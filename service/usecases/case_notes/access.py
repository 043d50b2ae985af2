"""Who reads and who adds the comments and attachments of an instance (the package's docstring)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.persistence.models import OPEN_STATES, HumanTaskModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError
from service.usecases.instance_access import staff_may_read
from service.usecases.instances import require_reader


def task_of(session: Session, task_id: str) -> HumanTaskModel:
    task = session.get(HumanTaskModel, task_id)
    if task is None:
        raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
    return task


def readable_case(
    session: Session, caller: Caller, instance_id: int | None, task_id: str | None
) -> tuple[int, HumanTaskModel | None]:
    """The instance whose notes are read (a task's own, when a task is named) and that task, once the caller
    may read the instance."""
    task = task_of(session, task_id) if task_id is not None else None
    instance = task.instance_id if task is not None else instance_id
    if instance is None:
        raise NotFoundError("请指明流程实例或任务", english="Name the instance or the task")
    require_reader(session, caller, instance)
    return instance, task


def require_writer(session: Session, caller: Caller, instance_id: int) -> None:
    """Staff who read the instance add to it; auditors and designers only read (403, said as such)."""
    require_reader(session, caller, instance_id)
    if not staff_may_read(session, caller, instance_id):
        raise ForbiddenError(
            "您可以查看该流程实例的意见和附件，但无权添加（审计和流程设计人员只读）",
            english="You may read this instance's comments and attachments but not add to them "
            "(auditors and process designers read only)",
        )


def require_attacher(session: Session, caller: Caller, task: HumanTaskModel) -> None:
    """A file is attached at a task by a member of its department, while the task is open."""
    require_writer(session, caller, task.instance_id)
    if not caller.in_department(task.department_code):
        raise ForbiddenError(
            "只有办理该任务的部门才能在此环节上传附件；其他部门可在流程实例页上传",
            english="Only the department doing this task may attach files at it; "
            "others may attach them on the instance's page",
        )
    if task.state not in OPEN_STATES:
        raise ConflictError(
            "该任务已办结或已取消，不能再在此环节上传附件；可在流程实例页上传",
            english="This task is completed or cancelled: files can no longer be attached at it; "
            "attach them on the instance's page",
        )
