"""Timers on one clock: the service's.

SpiffWorkflow's timer events compare their due time with its own ``datetime.now()`` whenever the engine
steps, so a timer could fire inside any user's completion, with no audit record, and a timeDuration or
timeCycle was measured from the library's clock. Here timer events only *compute* their due time (from
the service clock of the running action) and fire only when ``WorkflowEngine.fire_due_timers`` marks them,
which the service does from its scheduler path and audits as ``timer_executed``.

Timer expressions come from people, so their values are bounded: a duration is at most
``MAX_TIMER_YEARS`` long (``P9999999Y`` made the library count months for minutes) and a cycle repeats at
most ``MAX_CYCLES`` times, each at least ``MIN_CYCLE_SECONDS`` apart (``R/PT0S`` fired without end).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from workflows.ports import CHINA

MAX_TIMER_YEARS = 10
MAX_CYCLES = 1_000
MIN_CYCLE_SECONDS = 60
_CYCLE_DUE = "cycle_due"  # internal data set by fire_due_timers: the cycle's current occurrence fired

_NOW: ContextVar[Callable[[], datetime] | None] = ContextVar("service_now", default=None)


class TimerValueError(ValueError):
    """A timer expression whose value is not a usable, bounded date, duration or cycle."""


@contextmanager
def service_clock(now: Callable[[], datetime] | None) -> Iterator[None]:
    """Measure timeDuration and timeCycle timers from ``now`` while the block runs."""
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def _now() -> datetime:
    clock = _NOW.get()
    return clock() if clock is not None else datetime.now(UTC)


def parse_due(value: Any) -> datetime:
    """An aware datetime from a timeDate value; a date without offset is China time (the policy's)."""
    if isinstance(value, datetime):
        due = value
    else:
        try:
            due = datetime.fromisoformat(str(value))
        except ValueError as error:
            raise TimerValueError(f"定时器时间“{value}”不是 ISO 8601 日期时间") from error
    return due if due.tzinfo is not None else due.replace(tzinfo=CHINA)


def _bounded_duration(expression: str, start: datetime) -> timedelta:
    try:
        parsed = TimerEventDefinition.parse_iso_duration(expression)
    except Exception as error:  # noqa: BLE001 - the library raises a bare Exception for bad durations
        raise TimerValueError(f"定时器时长“{expression}”不是 ISO 8601 时长") from error
    months = parsed.get("years", 0) * 12 + parsed.get("months", 0)
    if months > MAX_TIMER_YEARS * 12:
        raise TimerValueError(f"定时器时长“{expression}”超过 {MAX_TIMER_YEARS} 年")
    try:
        duration = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except OverflowError as error:
        raise TimerValueError(f"定时器时长“{expression}”超出范围") from error
    if duration > timedelta(days=366 * MAX_TIMER_YEARS):
        raise TimerValueError(f"定时器时长“{expression}”超过 {MAX_TIMER_YEARS} 年")
    return duration


class ServiceTimeDate(TimeDateEventDefinition):
    """A timeDate timer that waits for the service to fire it."""

    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("event_value") is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=parse_due(value).isoformat())
        return bool(my_task._get_internal_data("event_fired", False))


class ServiceDuration(DurationTimerEventDefinition):
    """A timeDuration timer, measured from the service clock, that waits for the service to fire it."""

    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("event_value") is None:
            expression = str(my_task.workflow.script_engine.evaluate(my_task, self.expression))
            start = _now()
            my_task._set_internal_data(event_value=(start + _bounded_duration(expression, start)).isoformat())
        return bool(my_task._get_internal_data("event_fired", False))


class ServiceCycle(CycleTimerEventDefinition):
    """A timeCycle timer whose occurrences the service fires one at a time."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = str(my_task.workflow.script_engine.evaluate(my_task, self.expression))
            event_value = _bounded_cycle(expression)
        ready = False
        if event_value["cycles"] != 0:
            if my_task.internal_data.pop(_CYCLE_DUE, False):
                following = datetime.fromisoformat(event_value["next"]) + timedelta(
                    seconds=event_value["duration"]
                )
                event_value["next"] = following.isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


def _bounded_cycle(expression: str) -> dict[str, Any]:
    parts = expression.upper().replace("--", "/").removeprefix("R").split("/")
    if len(parts) not in (2, 3):
        raise TimerValueError(f"定时器周期“{expression}”不是 ISO 8601 重复间隔（如 R3/PT1H）")
    try:
        cycles = int(parts[0]) if parts[0] else -1
    except ValueError as error:
        raise TimerValueError(f"定时器周期“{expression}”的重复次数不是整数") from error
    if cycles > MAX_CYCLES or cycles < -1:
        raise TimerValueError(f"定时器周期“{expression}”的重复次数超过 {MAX_CYCLES}")
    now = _now()
    if len(parts) == 3 and not parts[1].startswith("P"):
        start = parse_due(parts[1])
        duration = _bounded_duration(parts[2], start)
    elif len(parts) == 2:
        duration = _bounded_duration(parts[1], now)
        start = now + duration
    else:
        raise TimerValueError(f"定时器周期“{expression}”应为 R次数/时长 或 R次数/开始时间/时长")
    if duration.total_seconds() < MIN_CYCLE_SECONDS:
        raise TimerValueError(f"定时器周期“{expression}”的间隔短于 {MIN_CYCLE_SECONDS} 秒")
    return {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}


_SERVICE_CLASSES: dict[type, type] = {
    TimeDateEventDefinition: ServiceTimeDate,
    DurationTimerEventDefinition: ServiceDuration,
    CycleTimerEventDefinition: ServiceCycle,
}


def use_service_clock(task_specs: Any) -> None:
    """Make the timer events among ``task_specs`` wait for the service instead of the library's clock."""
    for task_spec in task_specs:
        definition = getattr(task_spec, "event_definition", None)
        replacement = _SERVICE_CLASSES.get(type(definition))
        if replacement is not None:
            # Same attributes, other behaviour: the parsed definition keeps its name and expression.
            definition.__class__ = replacement


def due_of(task: Any) -> datetime | None:
    """The due time of a waiting timer task, or None when it has none yet (or its cycles are over)."""
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # a cycle: its next occurrence
        return datetime.fromisoformat(value["next"]) if value.get("cycles") != 0 else None
    if value is None:
        return None
    try:
        return parse_due(value)
    except TimerValueError:
        return None


def recompute_due(task: Any) -> datetime:
    """Work out a waiting timeDate timer's due time again from the data its expression reads (after the
    service moved that data, docs/design.md "The campaign calendar"); only a timeDate can move this way:
    a duration or a cycle would start again from now."""
    definition = task.task_spec.event_definition
    if not isinstance(definition, TimeDateEventDefinition):
        raise TimerValueError("只能调整按日期（timeDate）定时的事件")
    due = parse_due(task.workflow.script_engine.evaluate(task, definition.expression))
    task._set_internal_data(event_value=due.isoformat())
    return due


def mark_fired(task: Any) -> None:
    """Let a due timer fire at the next refresh (a cycle fires its current occurrence)."""
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        task.internal_data[_CYCLE_DUE] = True
    else:
        task._set_internal_data(event_fired=True)


def check_literal_timer(definition: Any) -> None:
    """Refuse at deploy what can be judged without running: timers inside a multiple event, and a
    timer written as a string literal whose value is out of bounds."""
    if isinstance(definition, MultipleEventDefinition):
        if any(isinstance(item, TimerEventDefinition) for item in definition.event_definitions):
            raise TimerValueError("不支持在多重事件中使用定时器，请改用单独的定时器事件")
        return
    try:
        value = ast.literal_eval(definition.expression.strip())
    except (ValueError, SyntaxError, AttributeError):
        return  # an expression: its value is checked when the timer starts waiting
    if not isinstance(value, str):
        raise TimerValueError(f"定时器表达式“{definition.expression}”的值不是字符串")
    start = datetime.now(UTC)
    if isinstance(definition, CycleTimerEventDefinition):
        with service_clock(lambda: start):
            _bounded_cycle(value)
    elif isinstance(definition, DurationTimerEventDefinition):
        _bounded_duration(value, start)
    else:
        parse_due(value)
