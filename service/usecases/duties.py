"""Segregation of duties, declared on the model (user-task properties) and enforced here.

``separateFrom``: whoever completed one of the named tasks in the same instance may not do this one (the
drafter of a staffing plan does not approve it; an officer's station scorer is not the town scorer).
``notSubject``: the task data key naming the officer the task is about; that officer's own account may not
do it (nobody appraises themselves).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.persistence.models import HumanTaskFacts, HumanTaskModel
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError
from workflows.specs import UserTaskInfo

# The names of this instance's tasks of the given kinds that a user completed; built once (hot path).
_COMPLETED_BY = select(HumanTaskModel.name_zh).where(
    HumanTaskModel.instance_id == bindparam("instance_id"),
    HumanTaskModel.spec_name.in_(bindparam("spec_names", expanding=True)),
    HumanTaskModel.completed_by == bindparam("username"),
)


def check_separation(
    session: Session, caller: Caller, task: HumanTaskFacts, info: UserTaskInfo | None
) -> None:
    """Refuse if the caller completed a task this one must be separated from."""
    if info is None or not info.separate_from:
        return
    earlier = session.scalars(
        _COMPLETED_BY,
        {
            "instance_id": task.instance_id,
            "spec_names": list(info.separate_from),
            "username": caller.username,
        },
    ).first()
    if earlier is not None:
        raise ForbiddenError(
            "职责分离：您已办理本流程的“{earlier}”，不能再办理“{task}”，请由其他人员办理",
            earlier=earlier,
            task=task.name_zh,
        )


def check_not_subject(
    caller: Caller, task: HumanTaskFacts, info: UserTaskInfo | None, data: dict[str, Any]
) -> None:
    """Refuse if the task is about the caller's own officer record."""
    if info is None or info.not_subject is None or caller.officer_id is None:
        return
    if data.get(info.not_subject) == caller.officer_id:
        raise ForbiddenError("职责分离：不能办理与本人有关的“{task}”", task=task.name_zh)
