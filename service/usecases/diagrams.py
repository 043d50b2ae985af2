"""The diagram of an instance: its process' BPMN XML and the state of each element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.archived import archived_record
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError, NotFoundError
from service.usecases.instances import require_reader
from service.usecases.names import Name, department_names
from service.usecases.projections import resolve_queue
from service.usecases.runner import InstanceRunner
from workflows.diagram import (
    archived_states,
    completed_from_events,
    element_names,
    element_states,
    english_names,
    labelled_diagram,
    process_file,
    spec_element_names,
)

# A lane scoped by task data (``police_station:{town}``) in a diagram without an instance: the kind of
# department it stands for.
DEPARTMENT_KINDS = {
    "police_station": Name("派出所", "Police station"),
    "town_gov": Name("镇人民政府", "Town government"),
}


def lane_label(lane: str, data: Mapping[str, Any], departments: Mapping[str, Name], lang: str) -> str:
    """The name of the department a lane stands for: the instance's own (崮山派出所 for
    ``police_station:{town}`` when the data says gushan), else the kind (派出所), else the code."""
    try:
        code = resolve_queue(lane, dict(data))
    except InvalidInputError:  # no instance data to scope the template with
        code = lane
    if code in departments:
        return departments[code].in_language(lang)
    kind = DEPARTMENT_KINDS.get(lane.partition(":")[0])
    return kind.in_language(lang) if kind else lane


def served_diagram(xml: str, data: Mapping[str, Any], departments: Mapping[str, Name], lang: str) -> str:
    """The BPMN XML as the viewer shows it: lanes by department name, English names on English pages."""
    return labelled_diagram(xml, lambda lane: lane_label(lane, data, departments, lang), english=lang == "en")


def instance_diagram(
    ctx: ServiceContext, caller: Caller, instance_id: int, lang: str = "zh-CN"
) -> dict[str, Any]:
    """``{"process_id", "bpmn_xml", "states", "names", "data"}``, labelled in ``lang``.

    ``states`` is ``{bpmn_id: completed|active|waiting}``; ``names`` the element names of those ids. An
    archived instance (retention) is drawn from what its audit log kept: no engine state is read.
    """
    with ctx.database.reading() as session:
        require_reader(session, caller, instance_id)
        instance = session.get(InstanceModel, instance_id)
        assert instance is not None  # noqa: S101 - require_reader refuses a missing instance
        runner = InstanceRunner(ctx, session, "system")
        specs = runner.specs_for(instance.definition_id)
        xml = process_file(specs.files, instance.process_id)
        if xml is None:
            raise NotFoundError(
                "流程定义中找不到流程“{process_id}”的 BPMN 文件", process_id=instance.process_id
            )
        names: dict[str, str]
        if instance.archived_at is not None:
            # Retention dropped the state: the path it recorded then, the final data the audit log keeps.
            kept = archived_record(session, instance)
            top, _subprocesses = specs.spec_for(instance.process_id)
            states, names, data = archived_states(top, kept.path), spec_element_names(top), kept.data
        else:
            engine, workflow = runner.load(instance)
            states = element_states(workflow, elements_run(session, instance_id))
            names, data = element_names(workflow), engine.data(workflow)
        if lang == "en":
            names.update(english_names(xml))
        return {
            "process_id": instance.process_id,
            "bpmn_xml": served_diagram(xml, data, department_names(session), lang),
            "states": states,
            "names": {bpmn_id: names.get(bpmn_id, bpmn_id) for bpmn_id in states},
            "data": data,
        }


def elements_run(session: Session, instance_id: int) -> set[str]:
    """The element ids the audit log says an instance ran: the live task tree may have been compacted."""
    events = session.execute(
        select(AuditEventModel.action, AuditEventModel.payload).where(
            AuditEventModel.instance_id == instance_id,
            or_(
                AuditEventModel.action == "task_completed",
                AuditEventModel.action.endswith("_executed", autoescape=True),
            ),
        )
    ).all()
    return completed_from_events((action, payload) for action, payload in events)
