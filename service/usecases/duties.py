"""Segregation of duties, declared on the model (user-task properties) and enforced here.

``separateFrom``: whoever completed one of the named tasks in the same instance may not do this one (the
drafter of a staffing plan does not approve it; an officer's station scorer is not the town scorer).
``notSubject``: the task data key naming the officer the task is about; that officer's own account may not
do it (nobody appraises themselves).
``notDoneBy``: a task data key holding the username of someone who did their part in another instance (the
reward's proposer, in the appraisal); that user may not do this task (the proposer does not decide).

Both rules apply to every action that gives a task to someone: claim and completion (the caller) and
reassignment (the user the task is given to). Both cost nothing for a task that declares neither, and the
subject rule reads the task's data only for an account linked to an officer (the hot path stays cheap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.persistence.models import HumanTaskFacts, HumanTaskModel
from service.usecases.errors import ForbiddenError
from workflows.extensions import UserTaskInfo

# The names of this instance's tasks of the given kinds that a user completed; built once (hot path).
_COMPLETED_BY = select(HumanTaskModel.name_zh).where(
    HumanTaskModel.instance_id == bindparam("instance_id"),
    HumanTaskModel.spec_name.in_(bindparam("spec_names", expanding=True)),
    HumanTaskModel.completed_by == bindparam("username"),
)


def check_separation(
    session: Session,
    username: str,
    task: HumanTaskFacts,
    info: UserTaskInfo | None,
    *,
    assignee: bool = False,
) -> None:
    """Refuse if ``username`` completed a task this one must be separated from.

    ``assignee``: ``username`` is not the caller but the user a head gives the task to.
    """
    if info is None or not info.separate_from:
        return
    earlier = session.scalars(
        _COMPLETED_BY,
        {"instance_id": task.instance_id, "spec_names": list(info.separate_from), "username": username},
    ).first()
    if earlier is None:
        return
    if assignee:
        raise ForbiddenError(
            "职责分离：{user} 已办理本流程的“{earlier}”，不能将“{task}”改派给其办理",
            user=username,
            earlier=earlier,
            task=task.name_zh,
        )
    raise ForbiddenError(
        "职责分离：您已办理本流程的“{earlier}”，不能再办理“{task}”，请由其他人员办理",
        earlier=earlier,
        task=task.name_zh,
    )


def check_not_subject(
    officer_id: int | None,
    task: HumanTaskFacts,
    info: UserTaskInfo | None,
    data: Callable[[], Mapping[str, Any]],
    *,
    assignee: str | None = None,
) -> None:
    """Refuse if the task is about the officer ``officer_id`` (the caller's, or the ``assignee``'s).

    ``data`` gives the task's data; it is called only when the rule can apply (an account linked to an
    officer, a task that names its subject), so other actions never load the workflow for it.
    """
    if info is None or info.not_subject is None or officer_id is None:
        return
    if data().get(info.not_subject) != officer_id:
        return
    if assignee is not None:
        raise ForbiddenError(
            "职责分离：“{task}”与 {user} 本人有关，不能改派给其办理", task=task.name_zh, user=assignee
        )
    raise ForbiddenError("职责分离：不能办理与本人有关的“{task}”", task=task.name_zh)


def check_not_done_by(
    username: str,
    task: HumanTaskFacts,
    info: UserTaskInfo | None,
    data: Callable[[], Mapping[str, Any]],
    *,
    assignee: bool = False,
) -> None:
    """Refuse if the task's data names ``username`` under the model's ``notDoneBy`` key.

    ``data`` is called only for a task that declares the key, so other tasks never load their workflow.
    """
    if info is None or info.not_done_by is None:
        return
    if data().get(info.not_done_by) != username:
        return
    if assignee:
        raise ForbiddenError(
            "职责分离：{user} 已在前一环节经办此事，不能将“{task}”改派给其办理",
            user=username,
            task=task.name_zh,
        )
    raise ForbiddenError(
        "职责分离：您已在前一环节经办此事，不能再办理“{task}”，请由其他人员办理", task=task.name_zh
    )
