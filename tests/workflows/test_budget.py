"""The action budget's wall-time bound (workflows/budget.py), without Flask.

The watchdog interrupts Python code anywhere in the acting thread, SpiffWorkflow's own loops included;
it must never interrupt anything after the action ended, nor another thread's action.
"""

from __future__ import annotations

import threading
import time

import pytest

from workflows.budget import ActionBudget, ActionLimits, BudgetExceeded


def spin(seconds: float) -> int:
    """Plain Python work (not model code, so no script budget applies) for about ``seconds``."""
    end, count = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        count += 1
    return count


def test_a_loop_past_the_deadline_is_interrupted() -> None:
    budget = ActionBudget(ActionLimits(max_seconds=0.3))
    began = time.monotonic()
    with pytest.raises(BudgetExceeded) as exceeded, budget.running():
        spin(30)
    assert time.monotonic() - began < 5
    assert "0.3 秒" in str(exceeded.value) and "0.3 s" in exceeded.value.message_en


def test_nothing_is_interrupted_after_the_action_ended() -> None:
    budget = ActionBudget(ActionLimits(max_seconds=0.2))
    with budget.running():
        spin(0.05)
    spin(0.6)  # well past the deadline, outside the action: no exception may arrive here


def test_a_nested_action_runs_within_the_outer_deadline() -> None:
    outer = ActionBudget(ActionLimits(max_seconds=0.3))
    inner = ActionBudget(ActionLimits(max_seconds=60))
    with pytest.raises(BudgetExceeded), outer.running(), inner.running():
        spin(30)


def test_one_thread_past_its_deadline_does_not_stop_another() -> None:
    results: dict[str, object] = {}

    def act(name: str, seconds: float, work: float) -> None:
        try:
            with ActionBudget(ActionLimits(max_seconds=seconds)).running():
                spin(work)
            results[name] = "done"
        except BudgetExceeded:
            results[name] = "stopped"

    runaway = threading.Thread(target=act, args=("runaway", 0.3, 30))
    steady = threading.Thread(target=act, args=("steady", 10, 1.0))
    runaway.start()
    steady.start()
    runaway.join(10)
    steady.join(10)
    assert results == {"runaway": "stopped", "steady": "done"}


def test_the_step_count_is_bounded() -> None:
    class Spec:
        bpmn_id, bpmn_name, name = "again", "再来", "again"

    class Task:
        task_spec = Spec()

    budget = ActionBudget(ActionLimits(max_steps=3))
    for _ in range(3):
        budget.after_task(Task())
    with pytest.raises(BudgetExceeded) as exceeded:
        budget.after_task(Task())
    assert exceeded.value.element == "再来（again）" and "3 个步骤" in str(exceeded.value)
