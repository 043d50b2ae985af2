"""Bound the work one engine action may do: engine steps, wall time and multi-instance size.

An action (start, complete, fire timers, deliver a message) runs inside the caller's write transaction, so
a model that never stops would hold the database's write lock and stop every other write of the service.
Every action therefore runs under an ``ActionBudget``:

- a maximum of engine steps (tasks the engine runs by itself), counted as they run;
- a maximum of wall time, enforced by one watchdog thread per process that raises ``ActionTimeout`` in
  the acting thread once its deadline passes (``PyThreadState_SetAsyncExc``: it interrupts Python code
  anywhere, SpiffWorkflow's own loops included; a single huge C-level operation is prevented by the
  script bounds in ``workflows.scripting`` instead);
- a maximum multi-instance cardinality, checked before the multi-instance task creates its children.

Past any bound the action raises ``BudgetExceeded`` naming the element that was running.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask


@dataclass(frozen=True)
class ActionLimits:
    """The bounds of one engine action."""

    max_steps: int = 5_000
    max_seconds: float = 10.0
    max_instances: int = 1_000  # children of one multi-instance activity


DEFAULT_LIMITS = ActionLimits()


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
    return f"{spec.bpmn_name}（{bpmn_id}）" if spec.bpmn_name else bpmn_id


class ActionBudget:
    """Count the steps of one action and check each task before it runs."""

    def __init__(self, limits: ActionLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.current: Any = None  # the task running now, named when a bound is hit

    def before_task(self, task: Any) -> None:
        """``will_complete_task`` hook: refuse a multi-instance that would create too many children."""
        self.current = task
        spec = task.task_spec
        if isinstance(spec, MultiInstanceTask) and "cardinality" not in task.internal_data:
            self._check_cardinality(task, spec)

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

    def _check_cardinality(self, task: Any, spec: Any) -> None:
        size: Any = None
        if getattr(spec, "cardinality", None):
            size = task.workflow.script_engine.evaluate(task, spec.cardinality)
        elif getattr(spec, "data_input", None) is not None:
            collection = task.data.get(spec.data_input.bpmn_id)
            size = len(collection) if hasattr(collection, "__len__") else None
        if not isinstance(size, int) or isinstance(size, bool):
            return  # the library reports a cardinality that is not a number itself
        if size > self.limits.max_instances:
            raise BudgetExceeded(
                element_name(task),
                f"多实例环节的实例数 {size} 超过上限 {self.limits.max_instances}",
                f"the multi-instance activity asks for {size} instances, "
                f"more than {self.limits.max_instances}",
            )

    @contextmanager
    def running(self) -> Iterator[None]:
        """Run the block under the wall-time bound; an overrun raises ``BudgetExceeded``."""
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
