"""SpiffWorkflow's validation errors as problems a designer can act on: each names its file, its line when
known (XSD errors) and its element, and the ones with a clear fix in this service say it."""

from __future__ import annotations

from collections.abc import Iterable

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from workflows.extensions import SERVICE_OPERATOR_ELEMENT

_NO_OPERATOR = "A Service Task must have an operator"


def validation_problem(
    error: ValidationException, file_name: str, known_operators: Iterable[str] | None
) -> str:
    """``error`` as one problem line: ``file:line: element: message``."""
    where = getattr(error, "file_name", "") or file_name
    line = getattr(error, "line_number", "")
    element = getattr(error, "id", "")
    prefix = ":".join(str(part) for part in (where, line, element) if part)
    if str(error).startswith(_NO_OPERATOR):
        operators = ", ".join(sorted(known_operators)) if known_operators is not None else ""
        choice_zh = f"（可用：{operators}）" if operators else ""
        choice_en = f" (registered: {operators})" if operators else ""
        return (
            f"{prefix}: 服务任务未指定操作，请用 {SERVICE_OPERATOR_ELEMENT} 的 id"
            f" 写一个已登记的操作{choice_zh}"
            f" / service task names no operator: give it {SERVICE_OPERATOR_ELEMENT} with id set to a"
            f" registered operator{choice_en}"
        )
    message = str(error).rstrip(". ")
    return f"{prefix}: {message}"
