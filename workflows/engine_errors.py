"""What the engine raises, and what a failure while stepping means for the person who acted.

SpiffWorkflow wraps what a task raised in its own exceptions; ``failure_of`` finds the cause (a bound hit
deep inside the library, a refused script, an operator's refusal) and words it in Chinese and English.
"""

from __future__ import annotations

from typing import TypeVar

from SpiffWorkflow.exceptions import SpiffWorkflowException

from workflows.budget import ActionBudget, BudgetExceeded, element_name
from workflows.scripting import ScriptRejectedError

E = TypeVar("E", bound=BaseException)


class EngineError(Exception):
    """The engine refused an action; the message says why, in Chinese for the end user."""

    def __init__(self, message: str, message_en: str | None = None, element: str | None = None) -> None:
        super().__init__(message)
        self.message_en = message_en
        self.element = element


class TaskNotReadyError(EngineError):
    """The task does not exist in this instance or is not waiting for a person."""


class InstanceTooLargeError(EngineError):
    """The instance's task tree is close to SpiffWorkflow's depth limit."""


class ModelError(EngineError):
    """A model expression, decision or operator failed while the engine stepped."""


class ActionBudgetError(EngineError):
    """An action went past its budget of steps, time or multi-instance size; nothing of it is kept."""


def cause_of(error: BaseException, kind: type[E]) -> E | None:
    """The first exception of ``kind`` in ``error``'s chain: SpiffWorkflow wraps what a task raised
    (an operator's refusal, a bound hit inside the library) in its own exceptions."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, kind):
            return cause
        cause = cause.__cause__ or cause.__context__ or getattr(cause, "exception", None)
    return None


def failure_of(error: Exception, budget: ActionBudget) -> Exception:
    """What a failure while stepping means: a bound hit deep inside the library, or a model error."""
    exceeded = cause_of(error, BudgetExceeded)
    if exceeded is not None:
        return exceeded
    element = element_name(budget.current) if budget.current is not None else None
    if isinstance(error, ScriptRejectedError):
        what, what_en = "模型脚本被拒绝执行", "a model script was refused"
    elif isinstance(error, SpiffWorkflowException):
        what, what_en = "流程模型执行出错", "the process model failed"
    else:  # SpiffWorkflow passes an operator's own exception through unwrapped
        what, what_en = "服务操作执行出错", "a service operation failed"
    text = text_of(error)
    if element is None:
        return ModelError(f"{what}：{text}", f"{what_en}: {text}")
    return ModelError(
        f"流程环节“{element}”{what}：{text}；本次操作未生效，请联系流程设计人员",
        f"element {element}: {what_en}: {text}; nothing was saved, please contact the process designers",
        element=element,
    )


def text_of(error: BaseException) -> str:
    """``str(error)``; SpiffWorkflow's exceptions fail to format when a note is None (a name it could not
    suggest a match for), which turned a model's mistake into a 500."""
    try:
        return str(error)
    except Exception:  # noqa: BLE001 - any formatting failure: fall back to the message and the notes
        notes = [note for note in getattr(error, "notes", ()) if isinstance(note, str)]
        return ". ".join([Exception.__str__(error), *notes])
