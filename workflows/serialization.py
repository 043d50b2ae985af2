"""Turn a running workflow into a state dict without its spec, and back.

The spec is most of a serialized instance; it is stored once per deployed bundle (by sha256), so the state
saved per instance leaves it out and the deployed spec is handed back in on load.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

SERIALIZER_VERSION = f"spiff-{VERSION}/auxpolice-2"  # 2: join tokens wait (_JOIN_TOKENS)
# Stored next to the tasks: the BPMN ids of completed elements whose tasks compaction has cut out of the
# live tree (workflows.compaction.compact), so an instance's diagram still shows them as done.
_COMPACTED = "compacted_elements"
# Stored next to the tasks: a join's tokens wait until an activation consumes them (workflows.semantics).
# A state saved before has the library's tokens instead, cancelled as the next arrival came; loading it
# reopens them.
_JOIN_TOKENS = "join_tokens"
_WAITING_TOKENS = "waiting"
_REOPENED = TaskState.WAITING | TaskState.FUTURE | TaskState.PREDICTED_MASK  # predicted again below it


def compacted_elements(workflow: BpmnWorkflow) -> set[str]:
    """The BPMN ids of completed elements compaction removed from ``workflow`` (a live, mutable set)."""
    found: set[str] | None = getattr(workflow, "_auxpolice_compacted", None)
    if found is None:
        found = set()
        workflow._auxpolice_compacted = found  # type: ignore[attr-defined]
    return found


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """A BpmnWorkflow converter that neither writes nor reads the spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:  # type: ignore[override]
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        dct[_COMPACTED] = sorted(compacted_elements(workflow))
        dct[_JOIN_TOKENS] = _WAITING_TOKENS
        return dct

    def from_dict(  # type: ignore[override]
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: dict[str, Any] | None = None
    ) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        compacted_elements(workflow).update(dct.get(_COMPACTED, []))
        if dct.get(_JOIN_TOKENS) != _WAITING_TOKENS:
            for each in (workflow, *workflow.subprocesses.values()):
                _reopen_superseded_tokens(each)
        return workflow


def _reopen_superseded_tokens(workflow: Any) -> None:
    """Make the join arrivals the library cancelled when the next one came (and no activation has
    consumed since) waiting tokens again, as workflows.semantics keeps them."""
    if workflow.completed:
        return
    joins: dict[str, list[Any]] = {}
    for task in workflow.tasks.values():
        if isinstance(task.task_spec, UnstructuredJoin):
            joins.setdefault(task.task_spec.name, []).append(task)
    fired = TaskState.READY | TaskState.COMPLETED
    for tasks in joins.values():
        activated = max((task.last_state_change for task in tasks if task.has_state(fired)), default=-1.0)
        for task in tasks:
            arrived = task.parent is not None and task.parent.state == TaskState.COMPLETED
            if task.state == TaskState.CANCELLED and arrived and task.last_state_change > activated:
                task._state = TaskState.WAITING  # not _set_state: its time orders the arrivals' data
                task.task_spec._predict(task, mask=_REOPENED)


class StoredDataTaskConverter(TaskConverter):
    """SpiffWorkflow 3.2.0's task converter, without its walk over the task data on load.

    The library's ``to_dict`` stores task data as it is (the root's in full, every other task's as the
    keys that differ from its parent's), never through the converter registry, so ``registry.restore``
    on load has nothing to restore: it only copied every value, which was two thirds of a load (the
    recruitment plan carries 46 posts). The stored shape is the library's own, so states stay readable
    by either converter; ``tests/workflows/test_serialization.py`` compares the two.
    """

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:  # type: ignore[override]
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=UUID(dct["id"]))
        task._parent = UUID(dct["parent"]) if dct["parent"] is not None else None
        task._children = [UUID(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and task.parent is not None:
            # The parsed state belongs to this load alone, so its values are taken over, not copied.
            data = DeepMerge.merge({}, task.parent.data)
            data.update(delta.get("updates", {}))
            for key in delta.get("deletions", []):
                data.pop(key, None)
        else:
            data = dct["data"]
        task.data = data
        return task


def _build_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)  # never mutate the library's globals
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    config[Task] = StoredDataTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


_SERIALIZER = _build_serializer()


def dump_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Return the JSON-able state of ``workflow`` without its spec."""
    return _SERIALIZER.to_dict(workflow)


def load_state(state: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from a state dict (consumed: pass a fresh one) and its deployed spec."""
    return _SERIALIZER.from_dict(state, spec=spec, subprocess_specs=subprocess_specs)
