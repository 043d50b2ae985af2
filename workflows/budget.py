"""Bound the work one engine action may do: engine steps, wall time and multi-instance size.

An action (start, complete, fire timers, deliver a message) runs inside the caller's write transaction, so
a model that never stops would hold the database's write lock and stop every other write of the service.
Every action therefore runs under an ``ActionBudget``:

- a maximum of engine steps (tasks the engine runs by itself), counted as they run;
- a maximum of wall time, enforced by one watchdog thread per process that raises ``ActionTimeout`` in
  the acting thread once its deadline passes (``PyThreadState_SetAsyncExc``: it interrupts Python code
  anywhere, SpiffWorkflow's own loops included; a single huge C-level operation is prevented by the
  script bounds in ``workflows.scripting`` instead);
- a maximum multi-instance size (cardinality or input collection) and depth of nested (sub)process calls,
  checked before the library creates the children or the subprocess (``bound_activities`` wraps the
  parsed specs).

Past any bound the action raises ``BudgetExceeded`` naming the element that was running.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask


@dataclass(frozen=True)
class ActionLimits:
    """The bounds of one engine action."""

    # Below SpiffWorkflow's depth wall of 1000: a loop without a wait state is reported as such before
    # the library's iterator silently stops offering its next task. The bundled models take < 30.
    max_steps: int = 900
    max_seconds: float = 10.0
    max_instances: int = 500  # children of one multi-instance activity (each is a step as well)


DEFAULT_LIMITS = ActionLimits()
# Subprocesses and call activities within each other; a process calling itself would go on without end.
MAX_CALL_DEPTH = 16


class ActionTimeout(BaseException):  # noqa: N818 - raised asynchronously, caught only by ActionBudget
    """Raised by the watchdog in a thread whose action ran past its deadline.

    A BaseException so that neither model code nor the library's ``except Exception`` can swallow it.
    """


class BudgetExceeded(Exception):  # noqa: N818 - "the budget was exceeded" reads better than *Error here
    """An action went past one of its bounds; ``element`` names what was running."""

    def __init__(self, element: str, message: str, message_en: str) -> None:
        super().__init__(message)
        self.element = element
        self.message_en = message_en


def element_name(task: Any) -> str:
    """A task's element as people know it: its name and BPMN id."""
    spec = task.task_spec
    bpmn_id = spec.bpmn_id or spec.name
    name = spec.bpmn_name
    if name is None and isinstance(spec, MultiInstanceTask):
        # The parser names the repeated activity, not the multi-instance wrapper around it.
        name = task.workflow.spec.task_specs[spec.task_spec].bpmn_name
    return f"{name}（{bpmn_id}）" if name else bpmn_id


class ActionBudget:
    """Count the steps of one action and check each task before it runs."""

    def __init__(self, limits: ActionLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.current: Any = None  # the task running now, named when a bound is hit

    def before_task(self, task: Any) -> None:
        """``will_complete_task`` hook: remember what runs, to name it if a bound is hit."""
        self.current = task

    def after_task(self, task: Any) -> None:
        """``did_complete_task`` hook: count the step."""
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise BudgetExceeded(
                element_name(task),
                f"流程在一次操作中执行了超过 {self.limits.max_steps} 个步骤（可能是没有等待环节的循环）",
                f"the process ran more than {self.limits.max_steps} steps in one action "
                "(probably a loop without a wait state)",
            )

    def timed_out(self) -> BudgetExceeded:
        where = element_name(self.current) if self.current is not None else ""
        seconds = self.limits.max_seconds
        return BudgetExceeded(
            where,
            f"流程在一次操作中运行超过 {seconds:g} 秒，已停止",
            f"the process ran longer than {seconds:g} s in one action and was stopped",
        )

    @contextmanager
    def running(self) -> Iterator[None]:
        """Run the block under the wall-time bound; an overrun raises ``BudgetExceeded``."""
        token = _CURRENT.set(self)
        try:
            if _WATCHDOG.armed():
                yield  # a nested action (an operator starting instances) runs within the outer deadline
                return
            try:
                _WATCHDOG.arm(time.monotonic() + self.limits.max_seconds)
                try:
                    yield
                finally:
                    _WATCHDOG.disarm()
            except ActionTimeout:
                raise self.timed_out() from None
        finally:
            _CURRENT.reset(token)


_CURRENT: ContextVar[ActionBudget | None] = ContextVar("action_budget", default=None)


def check_activity(spec: Any, task: Any) -> None:
    """Refuse a call nested too deep, or a multi-instance activity about to create too many children."""
    if isinstance(spec, SubWorkflowTask) and getattr(task.workflow, "depth", 0) >= MAX_CALL_DEPTH:
        raise BudgetExceeded(
            element_name(task),
            f"子流程或调用活动嵌套超过 {MAX_CALL_DEPTH} 层（可能是流程调用了自己）",
            f"subprocesses or call activities are nested more than {MAX_CALL_DEPTH} deep "
            "(probably a process calling itself)",
        )
    if isinstance(spec, MultiInstanceTask):
        _check_multi_instance(spec, task)


def _check_multi_instance(spec: Any, task: Any) -> None:
    if "cardinality" in task.internal_data:
        return  # sized already (a sequential activity going on)
    size: Any = None
    if getattr(spec, "cardinality", None):
        size = task.workflow.script_engine.evaluate(task, spec.cardinality)
    elif getattr(spec, "data_input", None) is not None:
        collection = task.data.get(spec.data_input.bpmn_id)
        size = len(collection) if hasattr(collection, "__len__") else None
    if not isinstance(size, int) or isinstance(size, bool):
        return  # not a number: the library reports that itself
    budget = _CURRENT.get()
    limit = (budget.limits if budget is not None else DEFAULT_LIMITS).max_instances
    if size > limit:
        raise BudgetExceeded(
            element_name(task),
            f"多实例环节要求 {size} 个实例，超过上限 {limit}",
            f"the multi-instance activity asks for {size} instances, more than {limit}",
        )


class _BoundedActivity:
    """Mixed in front of a parsed spec's class: checked before the library creates children or a
    subprocess, which it does while the activity becomes ready (its ``_update_hook``)."""

    def _update_hook(self, my_task: Any) -> Any:
        check_activity(self, my_task)
        return super()._update_hook(my_task)  # type: ignore[misc]


_BOUNDED_CLASSES: dict[type, type] = {}


def bound_activities(task_specs: Iterable[Any]) -> None:
    """Make the multi-instance and (sub)process-calling activities among ``task_specs`` check first."""
    for task_spec in task_specs:
        cls = type(task_spec)
        if not isinstance(task_spec, MultiInstanceTask | SubWorkflowTask) or issubclass(
            cls, _BoundedActivity
        ):
            continue
        bounded = _BOUNDED_CLASSES.get(cls)
        if bounded is None:
            bounded = _BOUNDED_CLASSES[cls] = type(f"Bounded{cls.__name__}", (_BoundedActivity, cls), {})
        task_spec.__class__ = bounded


class _Watchdog:
    """One daemon thread per process that interrupts actions running past their deadline."""

    TICK = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[int, float] = {}
        self._pid = 0

    def armed(self) -> bool:
        return threading.get_ident() in self._deadlines

    def arm(self, deadline: float) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked worker: the thread did not survive
                self._pid = os.getpid()
                threading.Thread(target=self._watch, name="action-watchdog", daemon=True).start()
            self._deadlines[threading.get_ident()] = deadline

    def disarm(self) -> None:
        # Under the lock, so no interruption can be scheduled for this thread after the action ended;
        # one scheduled just before is raised inside the action's block (see ActionBudget.running).
        with self._lock:
            self._deadlines.pop(threading.get_ident(), None)

    def _watch(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                late = [ident for ident, deadline in self._deadlines.items() if deadline <= now]
                for ident in late:
                    del self._deadlines[ident]  # interrupt once
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(ident), ctypes.py_object(ActionTimeout)
                    )


_WATCHDOG = _Watchdog()
