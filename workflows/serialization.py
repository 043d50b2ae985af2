"""Turn a running workflow into a state dict without its spec, and back.

The spec is most of a serialized instance; it is stored once per deployed bundle (by sha256), so the state
saved per instance leaves it out and the deployed spec is handed back in on load.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SERIALIZER_VERSION = f"spiff-{VERSION}/auxpolice-1"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """A BpmnWorkflow converter that neither writes nor reads the spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:  # type: ignore[override]
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
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
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)  # never mutate the library's globals
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


_SERIALIZER = _build_serializer()


def dump_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Return the JSON-able state of ``workflow`` without its spec."""
    return _SERIALIZER.to_dict(workflow)


def load_state(state: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from a state dict (consumed: pass a fresh one) and its deployed spec."""
    return _SERIALIZER.from_dict(state, spec=spec, subprocess_specs=subprocess_specs)
