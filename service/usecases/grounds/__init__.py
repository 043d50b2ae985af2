"""The grounds of a decision, shown beside a task's form (issue 11, point 2).

A user task names its panels in the model (``grounds``, read in workflows.extensions); the service provides
the vocabulary below and renders the named panels when a task is read (``tasks.task_detail``), never when
one is completed. Deploying a model that names a panel not listed here is refused (workflows.lint).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from service.persistence.models import HumanTaskModel
from service.usecases.grounds import (
    appraisal,
    contracts,
    dismissal,
    field_reports,
    payroll,
    recruitment,
    rewards,
    training,
    welfare,
)
from service.usecases.grounds.building import Panel, PanelBuilder, Reading
from workflows.extensions import UserTaskInfo
from workflows.specs import ProcessSpecs

PANELS: dict[str, PanelBuilder] = {
    **recruitment.PANELS,
    **appraisal.PANELS,
    **contracts.PANELS,
    **rewards.PANELS,
    **dismissal.PANELS,
    **training.PANELS,
    **payroll.PANELS,
    **welfare.PANELS,
    **field_reports.PANELS,
}


def grounds_for(
    session: Session,
    task: HumanTaskModel,
    data: Mapping[str, Any],
    specs: ProcessSpecs,
    info: UserTaskInfo | None,
) -> list[Panel]:
    """The panels ``info`` declares, rendered for ``task``; a panel with nothing to show is left out (the
    return note on a first draft)."""
    if info is None or not info.grounds:
        return []
    reading = Reading(task=task, data=data, session=session, forms=specs.forms)
    shown = []
    for name in info.grounds:
        build = PANELS.get(name)
        if build is None:  # a model stored before the panel was withdrawn: deploy refuses it now
            continue
        built = build(reading)
        if built is not None:
            shown.append({"name": name, **built})
    return shown
