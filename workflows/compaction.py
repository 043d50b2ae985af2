"""Cut finished history out of an instance's live task tree, changing nothing the engine will do.

SpiffWorkflow keeps every task an instance ever ran in its tree, so a loop makes the tree deeper with every
pass, until the library's iterator stops at depth 1000. The audit log keeps the history; the tree only
needs what the engine will still read. With the service's semantics (workflows.semantics) that is:

- every unfinished task, with everything below it (a multi-instance task reads its finished instances,
  an unfinished task's predicted children become its next tasks), and the last completed task (the
  instance's data while it runs, ``WorkflowEngine.data``);
- the parent of each of those (a task takes its data from its parent, a join reads its incoming task;
  a boundary event's join finds its split there, the parent of the task the events are attached to);
- the branch points between them, so the tree keeps its shape and its order.

Everything else goes: finished branches nothing depends on are dropped, and chains of finished tasks
between the kept ones are spliced out (a kept task is re-attached to its nearest kept ancestor). Task data
is held in full in memory, so the kept tasks lose nothing; the serializer then stores them as deltas
against their new parents. ``tests/workflows/differential`` checks that an instance compacted and reloaded
after every step behaves exactly as one that never was.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from workflows.serialization import compacted_elements

# Compaction runs when a kept task sits deeper than this. Small on purpose: loading and saving an instance
# cost in proportion to its live tree (60 levels made a task completion's engine work 1.0 ms, 4 levels
# 0.25 ms; docs/benchmarks.md), and the finished history is needed by nothing.
COMPACT_AT_DEPTH = 4


def compact(workflow: BpmnWorkflow, min_depth: int = COMPACT_AT_DEPTH) -> int:
    """Cut finished history out of the live task tree; return how many tasks were removed."""
    tasks = workflow.tasks
    if len(tasks) <= min_depth:
        return 0  # a tree this small cannot be deeper than the threshold
    depth_of = _needed(workflow)
    if max(depth_of.values()) <= min_depth:
        return 0
    kept = _kept(workflow, depth_of)
    if len(kept) == len(tasks):
        return 0
    removed = [task_id for task_id in tasks if task_id not in kept]
    compacted_elements(workflow).update(
        task.task_spec.bpmn_id
        for task_id in removed
        if (task := tasks[task_id]).state == TaskState.COMPLETED and task.task_spec.bpmn_id
    )
    _relink(workflow, kept)
    for task_id in removed:
        del tasks[task_id]
        workflow.subprocesses.pop(task_id, None)
    if workflow.subprocesses:
        _drop_orphan_subprocesses(workflow)
    return len(removed)


def _needed(workflow: BpmnWorkflow) -> dict[Any, int]:
    """The tasks the engine may still read, and every task on the way to them from the root, each with
    its depth (the deepest of them is one of the tasks the engine may read)."""
    depth_of: dict[Any, int] = {}
    tasks = workflow.tasks
    roots = [task for task in tasks.values() if not task.has_state(TaskState.FINISHED_MASK)]
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        roots.append(workflow.last_task)
    for task in roots:
        path, task_id = [], task.id
        while task_id is not None and task_id not in depth_of:
            path.append(task_id)
            task_id = tasks[task_id]._parent
        depth = depth_of[task_id] if task_id is not None else -1
        for step_id in reversed(path):
            depth += 1
            depth_of[step_id] = depth
    return depth_of


def _kept(workflow: BpmnWorkflow, needed: dict[Any, int]) -> set[Any]:
    """The needed tasks that must stay in the tree; the other needed ones are finished links of a chain."""
    tasks, root = workflow.tasks, workflow.task_tree
    kept = {root.id}
    for task_id in needed:
        task = tasks[task_id]
        if not task.has_state(TaskState.FINISHED_MASK) or task is workflow.last_task:
            kept.add(task_id)
            if task._parent is not None:
                kept.add(task._parent)
            if not task.has_state(TaskState.FINISHED_MASK):
                _add_subtree(tasks, task, kept)
        elif len(needed.keys() & task._children) > 1:
            kept.add(task_id)  # a branch point between live branches
    return kept


def _add_subtree(tasks: dict[Any, Any], task: Any, found: set[Any]) -> None:
    stack = list(task._children)
    while stack:
        task_id = stack.pop()
        found.add(task_id)
        stack.extend(tasks[task_id]._children)


def _relink(workflow: BpmnWorkflow, kept: set[Any]) -> None:
    """Attach every kept task to its nearest kept ancestor, keeping the order of a depth-first walk."""
    tasks, root = workflow.tasks, workflow.task_tree
    children: dict[Any, list[Any]] = {root.id: []}
    stack = [(child_id, root.id) for child_id in reversed(root._children)]
    while stack:
        task_id, holder_id = stack.pop()
        task = tasks[task_id]
        if task_id in kept:
            children[holder_id].append(task_id)
            task._parent = holder_id
            children[task_id] = []
            holder_id = task_id
        stack.extend((child_id, holder_id) for child_id in reversed(task._children))
    for holder_id, below in children.items():
        tasks[holder_id]._children = below


def _drop_orphan_subprocesses(workflow: BpmnWorkflow) -> None:
    """Forget subprocesses (nested ones too) whose task left the tree with the history."""
    while True:
        present = set(workflow.tasks)
        for subprocess in workflow.subprocesses.values():
            present.update(subprocess.tasks)
        orphans = [task_id for task_id in workflow.subprocesses if task_id not in present]
        if not orphans:
            return
        for task_id in orphans:
            del workflow.subprocesses[task_id]
