"""Where the service runs BPMN differently from bare SpiffWorkflow 3.2.0, and why.

Found by the differential harness (tests/workflows/differential), which runs every model with and without
the service's save, load and compaction. Each change below follows the BPMN 2.0 specification where the
library does not, and each makes the engine's behaviour depend only on the live part of the task tree, so
that cutting finished history out of it (workflows.compaction) and saving it change nothing.

- **Joins count tokens, not history.** The library's parallel and inclusive joins look at every task of
  the gateway ever created, including those of earlier passes through a loop: on the second pass a
  parallel or inclusive join inside a loop fired as soon as one branch arrived, because the other branch's
  token of the first pass was still in the tree (and it merged that pass's data into this one). Here a
  token is a join task whose incoming task completed and that no activation consumed yet; it stays
  WAITING, never finished, until an activation consumes it, so it is never history. A parallel gateway
  fires when every incoming flow holds a token (BPMN 10.6.4), an inclusive gateway when some incoming
  flow holds one and no other token of the process can still reach an empty incoming flow without also
  reaching a filled one (BPMN 13.4.3). One token per incoming flow is consumed; excess tokens wait for
  the next activation. A parallel gateway that merges a flow which can only come back through itself
  (the library lets the first pass through without it) waits for that flow, as BPMN says: such a model
  deadlocks, and the deploy lint refuses it (``merges_its_own_loop``).
- **The process end keeps the ended branches' data until it completes.** The library's end join cancels
  each earlier branch's end as the next one arrives and merges their data from the cancelled tasks at the
  very end; once compaction had cut one of them out, its data was missing from the result. Here the
  ended branches wait (as tokens) for the process end.
- **A triggered event subprocess does not rewrite the spec.** The library connects a message-started event
  subprocess to the process's start task the first time one is triggered. The service parses a bundle
  once per process and shares it between instances, so every later instance started the event subprocess
  at once and could never complete. Here the spec gets the connections the trigger checks for at parse
  time, without the start's output, so triggering adds the subprocess to the instance only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway, ParallelGateway
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _arrived(task: Any) -> bool:
    return task.parent is not None and task.parent.state == TaskState.COMPLETED


def _holds_token(task: Any) -> bool:
    """Whether a token sits at ``task``: it is live, or a split just created it and updates it next
    (its FUTURE descendants below a live task are only the library's prediction)."""
    return task.has_state(LIVE) or (task.state == TaskState.FUTURE and _arrived(task))


def _tokens(spec: Any, my_task: Any) -> list[Any]:
    """The unconsumed tokens at ``spec``: ``my_task`` and its tasks whose incoming task completed, waiting
    or not yet updated (a split's later branches, which it updates one after the other)."""
    return [
        task
        for task in my_task.workflow.tasks.values()
        if task.task_spec is spec and (task is my_task or task.state in _UNCONSUMED) and _arrived(task)
    ]


_UNCONSUMED = (TaskState.WAITING, TaskState.FUTURE)


def _consume(my_task: Any, tokens: list[Any]) -> None:
    """Activate ``my_task`` with ``tokens``: merge their data in the order they arrived, own data last."""
    my_task._inherit_data()
    others = sorted((task for task in tokens if task is not my_task), key=lambda task: task.last_state_change)
    for task in others:
        DeepMerge.merge(my_task.data, task.parent.data)
        task.cancel()
    my_task._inherit_data()


def _flows(spec: Any) -> Counter[str]:
    """How many incoming flows the gateway has from each incoming task (two flows may join the same two)."""
    return Counter(task_spec.name for task_spec in spec.inputs)


def _held(tokens: list[Any]) -> Counter[str]:
    return Counter(task.parent.task_spec.name for task in tokens)


def _one_per_flow(spec: Any, my_task: Any, tokens: list[Any]) -> list[Any]:
    """A token for each incoming flow that holds one: ``my_task`` first, then the earliest arrivals."""
    room = _flows(spec)
    chosen = []
    others = sorted((task for task in tokens if task is not my_task), key=lambda task: task.last_state_change)
    for task in [my_task, *others]:
        source = task.parent.task_spec.name
        if room[source] > 0:
            room[source] -= 1
            chosen.append(task)
    return chosen


class TokenParallelGateway(ParallelGateway):  # type: ignore[misc]
    """A parallel gateway that fires when every incoming flow holds a token (see the module docstring)."""

    def _update_hook(self, my_task: Any) -> bool:
        if not _arrived(my_task):
            my_task._set_state(TaskState.WAITING)
            return False
        tokens = _tokens(self, my_task)
        held = _held(tokens)
        if any(held[source] < flows for source, flows in _flows(self).items()):
            my_task._set_state(TaskState.WAITING)
            return False
        _consume(my_task, _one_per_flow(self, my_task, tokens))
        return True

    def _run_hook(self, my_task: Any) -> bool:
        return True  # the data was merged when the tokens were consumed


class TokenInclusiveGateway(InclusiveGateway):  # type: ignore[misc]
    """An inclusive gateway that waits for the tokens that can still reach it (see the module docstring)."""

    def _update_hook(self, my_task: Any) -> bool:
        if not _arrived(my_task):
            my_task._set_state(TaskState.WAITING)
            return False
        tokens = _tokens(self, my_task)
        filled = set(_held(tokens))
        empty = set(_flows(self)) - filled
        for task in my_task.workflow.tasks.values():
            if task.task_spec is self or not _holds_token(task):
                continue
            reach = self._reachable_inputs(task.task_spec)
            if reach & empty and not reach & filled:
                my_task._set_state(TaskState.WAITING)
                return False
        _consume(my_task, _one_per_flow(self, my_task, tokens))
        return True

    def _reachable_inputs(self, source: Any) -> frozenset[str]:
        """The names of this gateway's incoming tasks that ``source`` leads to without passing it."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_reach_cache", {})
        found = cache.get(source.name)
        if found is None:
            inputs = {spec.name for spec in self.inputs}
            seen, stack, reached = {source.name}, [source], set()
            while stack:
                spec = stack.pop()
                if spec.name in inputs:
                    reached.add(spec.name)
                for following in spec.outputs:
                    if following is not self and following.name not in seen:
                        seen.add(following.name)
                        stack.append(following)
            found = cache[source.name] = frozenset(reached)
        return found

    def _run_hook(self, my_task: Any) -> bool:
        # The split half of the library's inclusive gateway; the join half's data merge happened on update.
        matches, defaults = self._get_matching_outputs(my_task)
        if len(matches + defaults) == 0:
            raise WorkflowTaskException("No conditions satisfied on gateway", task=my_task)
        my_task._sync_children(matches or defaults, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


class TokenEndJoin(_EndJoin):  # type: ignore[misc]
    """The process end: ended branches wait for it, and their data is merged when it completes."""

    def _update_hook(self, my_task: Any) -> bool:
        for task in my_task.workflow.tasks.values():
            if task.task_spec is self or (task.parent is not None and task.parent.task_spec is self):
                continue  # the ended branches, and what follows the end (predicted)
            if task.has_state(TaskState.NOT_FINISHED_MASK):
                my_task._set_state(TaskState.WAITING)
                return False
        # States saved before kept ended branches as cancelled tasks: loading reopens them (serialization).
        _consume(my_task, _tokens(self, my_task))
        return True

    def _run_hook(self, my_task: Any) -> bool:
        my_task.workflow.data.update(my_task.data)
        return True


_SERVICE_CLASSES: dict[type, type] = {
    ParallelGateway: TokenParallelGateway,
    InclusiveGateway: TokenInclusiveGateway,
    _EndJoin: TokenEndJoin,
}


def use_service_semantics(wf_spec: Any) -> None:
    """Give the task specs of a parsed process the service's behaviour (see the module docstring)."""
    for task_spec in wf_spec.task_specs.values():
        replacement = _SERVICE_CLASSES.get(type(task_spec))
        if replacement is not None:
            task_spec.__class__ = replacement
    start = wf_spec.start
    for name in getattr(start, "trigger_specs", []):
        # What the library's first trigger (BpmnStartTask.trigger_wf) adds to the spec, added once at
        # parse time, but for the start's outputs, which would start the event subprocess with every
        # instance: it ends in the process's end (so its data joins the result) and names the start as
        # its input, which is what trigger_wf checks before it connects the two.
        triggered = wf_spec.task_specs.get(name)
        if triggered is not None and wf_spec.end not in triggered.outputs:
            triggered.connect(wf_spec.end)
        if triggered is not None and start not in triggered.inputs:
            triggered._inputs.append(start.name)


def merges_its_own_loop(wf_spec: Any) -> list[str]:
    """Parallel gateways with an incoming flow that can only arrive through the gateway itself.

    By BPMN such a gateway waits for ever on its first pass (the library lets it through instead); a
    loop is merged with an exclusive gateway.
    """
    found = []
    for spec in _parallel_gateways(wf_spec.task_specs.values()):
        for incoming in spec.inputs:
            if not _reachable_without(wf_spec.start, incoming, spec):
                found.append(spec.bpmn_id or spec.name)
                break
    return found


def _parallel_gateways(task_specs: Iterable[Any]) -> Iterable[Any]:
    return (spec for spec in task_specs if isinstance(spec, ParallelGateway))


def _reachable_without(start: Any, target: Any, avoided: Any) -> bool:
    seen, stack = {start.name}, [start]
    while stack:
        spec = stack.pop()
        if spec is target:
            return True
        for following in spec.outputs:
            if following is not avoided and following.name not in seen:
                seen.add(following.name)
                stack.append(following)
    return False
