"""Run BPMN/DMN expressions and scripts in a restricted, bounded environment.

BPMN comes from people. SpiffWorkflow's default environment is plain ``eval``/``exec`` with the full
builtins, so a diagram could ``import os``. Here every expression and script is compiled by
RestrictedPython, sees an allow-list of builtins and no modules, and runs under a step budget.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from workflows.script_limits import GUARDS, ScriptRejectedError, guarded_divmod, guarded_round, guarded_sum
from workflows.script_operands import (
    OPERAND_GUARDS,
    ExpressionPolicy,
    ScriptPolicy,
    check_storable,
    check_value,
)

# Builtins a modeller may need for comparisons and small computations; nothing that reaches the
# interpreter (no getattr/setattr/type/__import__/open/eval).
_ALLOWED_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "divmod",
        "enumerate",
        "float",
        "int",
        "isinstance",
        "len",
        "list",
        "max",
        "min",
        "range",
        "reversed",
        "round",
        "set",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
        "True",
        "False",
        "None",
        "ValueError",
        "KeyError",
        "TypeError",
    )
}

MAX_STEPS = 1_000_000  # bytecode instructions of model code
# Wall time of one script or expression. The step count above bounds the work; this bounds a script that
# waits in C code. At 1 s a plain decision-table cell was stopped when a busy 2-core machine descheduled the
# thread (a screening in CI); the action's own watchdog (AUXPOLICE_ACTION_MAX_SECONDS) still bounds the whole.
MAX_SECONDS = 5.0
MAX_RANGE = 10_000


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptRejectedError(f"range() longer than {MAX_RANGE} is not allowed in a model")
    return result


def _restricted_globals() -> dict[str, Any]:
    builtins = dict(_ALLOWED_BUILTINS)
    builtins["range"] = _bounded_range
    builtins["round"] = guarded_round
    builtins["sum"] = guarded_sum
    builtins["divmod"] = guarded_divmod
    return {
        "__builtins__": builtins,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        **GUARDS,
        **OPERAND_GUARDS,
    }


@lru_cache(maxsize=4096)
def _compile_eval(expression: str) -> CodeType:
    result = compile_restricted_eval(expression, "<model expression>", policy=ExpressionPolicy)
    if result.errors or result.code is None:
        raise ScriptRejectedError("; ".join(result.errors) or f"cannot compile {expression!r}")
    return result.code


@lru_cache(maxsize=1024)
def _compile_exec(script: str) -> CodeType:
    result = compile_restricted_exec(script, "<model script>", policy=ScriptPolicy)
    if result.errors or result.code is None:
        raise ScriptRejectedError("; ".join(result.errors))
    return result.code


class _Budget:
    """Count executed lines of model code and stop a runaway loop."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not frame.f_code.co_filename.startswith("<model"):
            return None
        # Count opcodes, not lines: a one-line `while True: pass` emits no further line events.
        frame.f_trace_opcodes = True
        self.steps += 1
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise ScriptRejectedError("model script exceeded its step budget")
        return self.trace


def _run_bounded(code: CodeType, namespace: dict[str, Any]) -> Any:
    budget = _Budget()
    previous = sys.gettrace()
    sys.settrace(budget.trace)
    try:
        return eval(code, namespace)  # noqa: S307 - code was compiled by RestrictedPython
    finally:
        sys.settrace(previous)


@dataclass(frozen=True)
class OperatorCall:
    """A service task's request to a registered operator."""

    name: str
    params: dict[str, Any]
    data: Mapping[str, Any]
    task_spec: str


OperatorHandler = Callable[[OperatorCall], Any]


def _namespace(context: dict[str, Any], external_context: Any) -> dict[str, Any]:
    """The names a model's code sees: its data, then the guards and builtins, which data cannot replace."""
    # The guards go in last: task data holding `_getattr_` or `__builtins__` would otherwise disarm them
    # (the service also refuses such keys, workflows/data_keys.py; this holds whatever the data).
    return {**(external_context or {}), **context, **_restricted_globals()}


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate against task data with RestrictedPython; service calls go to the bound handler."""

    def __init__(self, operator_handler: OperatorHandler | None = None) -> None:
        super().__init__({})
        self.operator_handler = operator_handler

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        result = _run_bounded(_compile_eval(expression), _namespace(context, external_context))
        check_value(result, "表达式的结果")
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        namespace = _namespace(context, external_context)
        _run_bounded(_compile_exec(script), namespace)
        written = {
            key: value
            for key, value in namespace.items()
            if not (key.startswith("_") or callable(value) or key in (external_context or {}))
        }
        for key, value in written.items():  # all checked before any is written
            check_value(value, f"脚本写入的数据项“{key}”")
        context.update(written)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service calls go through RestrictedScriptEngine.call_service")


@contextmanager
def _refusals_unwrapped() -> Iterator[None]:
    try:
        yield
    except SpiffWorkflowException as error:
        if isinstance(error.__context__, ScriptRejectedError):
            raise error.__context__ from None
        raise


class RestrictedScriptEngine(PythonScriptEngine):
    """The only script engine the workflows run with."""

    def __init__(self, operator_handler: OperatorHandler | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(operator_handler))
        self.operator_handler = operator_handler

    # The library wraps every error as "Error evaluating expression ..."; a refusal keeps its own reason.
    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        with _refusals_unwrapped():
            return super().evaluate(task, expression, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        before = dict(task.data)
        with _refusals_unwrapped():
            result = super().execute(task, script, external_context)
            # What the task keeps must be storable as it is (a set, bytes or an exception would be saved
            # as its printed form); the refusal names the element, and the action is undone.
            for key, value in task.data.items():
                if before.get(key) is not value:
                    check_storable(value, f"脚本写入的数据项“{key}”")
        return result

    def validate(self, expression: str) -> None:
        # DMN's needs_eq probes for SyntaxError; keep that contract while using the restricted compiler.
        try:
            _compile_eval(expression)
        except ScriptRejectedError as error:
            raise SyntaxError(str(error)) from error

    def call_service(self, task: Any, **kwargs: Any) -> str:
        if self.operator_handler is None:
            raise ScriptRejectedError("no service operators are available to this workflow")
        params = {name: spec["value"] for name, spec in kwargs.get("operation_params", {}).items()}
        call = OperatorCall(
            name=kwargs["operation_name"], params=params, data=task.data, task_spec=task.task_spec.name
        )
        # The spiff ServiceTask json-decodes the result, so the handler's value is encoded here.
        return json.dumps(self.operator_handler(call), ensure_ascii=False, default=str)
