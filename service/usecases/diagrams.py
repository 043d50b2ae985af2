"""The diagram of an instance: its process' BPMN XML and the state of each element."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.directory import Caller
from service.usecases.errors import NotFoundError
from service.usecases.instances import require_reader
from service.usecases.runner import InstanceRunner
from workflows.diagram import completed_from_events, element_names, element_states, process_file


def instance_diagram(ctx: ServiceContext, caller: Caller, instance_id: int) -> dict[str, Any]:
    """``{"process_id", "bpmn_xml", "states", "names", "data"}``.

    ``states`` is ``{bpmn_id: completed|active|waiting}``; ``names`` the element names of those ids.
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
        engine, workflow = runner.load(instance)
        # The live task tree may have been compacted: the audit log still names every element that ran.
        events = session.execute(
            select(AuditEventModel.action, AuditEventModel.payload).where(
                AuditEventModel.instance_id == instance_id,
                or_(
                    AuditEventModel.action == "task_completed",
                    AuditEventModel.action.endswith("_executed", autoescape=True),
                ),
            )
        ).all()
        completed = completed_from_events((action, payload) for action, payload in events)
        states = element_states(workflow, completed)
        names = element_names(workflow)
        return {
            "process_id": instance.process_id,
            "bpmn_xml": xml,
            "states": states,
            "names": {bpmn_id: names.get(bpmn_id, bpmn_id) for bpmn_id in states},
            "data": engine.data(workflow),
        }
