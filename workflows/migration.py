"""Move a running workflow onto another version of its process, with SpiffWorkflow's own diff and migration.

``plan_migration`` compares an instance with the target specs (``diff_workflow``) and says whether it may
move: like spiff-arena, never when a task that has run (COMPLETED, STARTED) would change or disappear, nor
a READY task holding data of its own (a saved draft) whose element changes, since migrating resets it.
``migrate`` applies the plan (``migrate_workflow``); the caller steps the engine on and saves. Nothing here
knows about the database.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from workflows import semantics, timers
from workflows.serialization import compacted_elements


def _spec_registry() -> Any:
    """The registry the diff converts specs with to compare them: the library's converters (a copy: its
    config is global), also for the classes the service swaps in at parse time, converted as their bases."""
    config = deepcopy(SPIFF_CONFIG)
    for swapped in (semantics._SERVICE_CLASSES, timers._SERVICE_CLASSES):
        for base, replacement in swapped.items():
            config[replacement] = config[base]
    return BpmnWorkflowSerializer.configure(config)


_REGISTRY = _spec_registry()
_HAS_RUN = TaskState.COMPLETED | TaskState.STARTED


@dataclass(frozen=True)
class Blocker:
    """Why an instance cannot move: an element it has run (or holds data at) changes or is removed."""

    element: str
    name: str
    state: str  # COMPLETED, STARTED, READY (with data), or "missing" for a subprocess gone from the target
    change: str  # "changed" or "removed"

    @property
    def reason(self) -> str:
        what = "已被修改" if self.change == "changed" else "已被删除"
        return (
            f"环节“{self.name}”（{self.element}）{_STATE_ZH.get(self.state, self.state)}，在目标版本中{what}"
        )

    @property
    def reason_en(self) -> str:
        return (
            f"element {self.name} ({self.element}) is {_STATE_EN.get(self.state, self.state)} "
            f"and is {self.change} in the target version"
        )


_STATE_ZH = {"COMPLETED": "已完成", "STARTED": "正在执行", "READY": "已暂存数据", "missing": "所在子流程缺失"}
_STATE_EN = {
    "COMPLETED": "completed",
    "STARTED": "running",
    "READY": "holding saved data",
    "missing": "in a subprocess missing",
}


@dataclass
class MigrationPlan:
    """The diff of one instance against the target version, and whether it may move."""

    changed: list[str] = field(default_factory=list)  # element ids whose definition differs
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    diffs: tuple[Any, dict[Any, Any]] | None = field(default=None, repr=False)

    @property
    def can_move(self) -> bool:
        return not self.blockers

    def summary(self) -> dict[str, list[str]]:
        return {"changed": self.changed, "added": self.added, "removed": self.removed}


def _element(spec: Any) -> str | None:
    """The BPMN id of a task spec; None for the library's own (Start, End, joins it adds)."""
    bpmn_id = getattr(spec, "bpmn_id", None)
    return str(bpmn_id) if bpmn_id else None


def _label(spec: Any) -> str:
    return str(getattr(spec, "bpmn_name", None) or _element(spec) or spec.name)


def _blockers(diff: WorkflowDiff) -> list[Blocker]:
    found: list[Blocker] = []
    seen: set[tuple[str, str]] = set()
    for change, tasks in (("removed", diff.removed), ("changed", diff.changed)):
        for task in tasks:
            element = _element(task.task_spec)
            if element is None:
                continue
            if task.has_state(_HAS_RUN):
                state = TaskState.get_name(task.state)
            elif (
                task.has_state(TaskState.READY) and task.parent is not None and task.data != task.parent.data
            ):
                state = "READY"
            else:
                continue
            if (element, change) not in seen:
                seen.add((element, change))
                found.append(Blocker(element, _label(task.task_spec), state, change))
    return found


def plan_migration(workflow: BpmnWorkflow, new_spec: Any, new_dependencies: dict[str, Any]) -> MigrationPlan:
    """Compare ``workflow`` with ``new_spec`` (and its subprocess specs); nothing is changed."""
    top, sub_diffs = diff_workflow(_REGISTRY, workflow, new_spec, new_dependencies)
    plan = MigrationPlan(diffs=(top, sub_diffs))
    # The version's diff, top level and each subprocess spec the target also has.
    pairs = [(workflow.spec, new_spec)] + [
        (spec, new_dependencies[name])
        for name, spec in workflow.subprocess_specs.items()
        if name in new_dependencies
    ]
    for old, new in pairs:
        for key, elements in spec_changes(old, new).items():
            listed = getattr(plan, key)
            listed.extend(e for e in elements if e not in listed)
    plan.blockers.extend(_blockers(top))
    for sp_id, sub_diff in sub_diffs.items():
        if sub_diff is None:
            sub = workflow.subprocesses[sp_id]
            plan.blockers.append(Blocker(sub.spec.name, sub.spec.name, "missing", "removed"))
        else:
            plan.blockers.extend(_blockers(sub_diff))
    # Compaction cut finished tasks out of the tree: their elements still count as completed.
    for element in sorted(compacted_elements(workflow) & set(plan.changed + plan.removed)):
        change = "removed" if element in plan.removed else "changed"
        plan.blockers.append(Blocker(element, element, "COMPLETED", change))
    return plan


def spec_changes(old_spec: Any, new_spec: Any) -> dict[str, list[str]]:
    """The elements of ``old_spec`` changed or removed in ``new_spec``, and those it adds."""
    diff = SpecDiff(_REGISTRY, old_spec, new_spec)
    return {
        "changed": sorted({e for spec in diff.changed if (e := _element(spec))}),
        "added": sorted({e for spec in diff.added if (e := _element(spec))}),
        "removed": sorted({e for spec in diff.removed if (e := _element(spec))}),
    }


def migrate(
    workflow: BpmnWorkflow, plan: MigrationPlan, new_spec: Any, new_dependencies: dict[str, Any]
) -> None:
    """Put ``workflow`` on ``new_spec``: aligned tasks take their new specs, READY and WAITING ones are
    reset and predicted again along the new flows. The caller steps the engine on afterwards."""
    if not plan.can_move or plan.diffs is None:
        raise ValueError("this instance cannot be migrated")
    top, sub_diffs = plan.diffs
    migrate_workflow(top, workflow, new_spec)
    for sp_id, sub_diff in sub_diffs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sub_diff, sub, new_dependencies[sub.spec.name])
    workflow.subprocess_specs = new_dependencies


def waits_at(workflow: BpmnWorkflow, element: str) -> bool:
    """Whether ``workflow`` (or a subprocess of it) waits at the BPMN element ``element``."""
    waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED
    return any(_element(task.task_spec) == element for task in workflow.get_tasks(state=waiting))
