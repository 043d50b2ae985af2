"""Lint ``bulkComplete``: only on a user task whose form can be a table (workflows/form_columns.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from SpiffWorkflow.spiff.specs.defaults import UserTask

from workflows.extensions import BULK_COMPLETE_KEY, declares_bulk_complete, user_task_info
from workflows.form_columns import column_problem
from workflows.problems import Problem, on_element

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs


def lint_bulk_complete(specs: ProcessSpecs, problems: list[Problem]) -> None:
    """``bulkComplete`` is ``true`` or ``false``, on a user task with a form whose fields are columns."""
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            for task_spec in wf_spec.task_specs.values():
                declared = declares_bulk_complete(task_spec)
                if declared is None:
                    continue

                def problem(
                    zh: str, en: str, process_id: str = process_id, element: str = task_spec.name
                ) -> None:
                    problems.append(on_element(process_id, element, zh, en))

                if declared.lower() not in ("true", "false"):
                    problem(
                        f"{BULK_COMPLETE_KEY} 只能是 'true' 或 'false'，不能是 {declared!r}",
                        f"{BULK_COMPLETE_KEY} must be 'true' or 'false', not {declared!r}",
                    )
                    continue
                if not isinstance(task_spec, UserTask):
                    problem(
                        f"{BULK_COMPLETE_KEY} 只能用于用户任务",
                        f"{BULK_COMPLETE_KEY} is for a user task only",
                    )
                    continue
                form = user_task_info(task_spec).form
                if declared.lower() != "true" or form is None or form not in specs.forms:
                    continue  # a missing form is the main lint's problem
                refused = column_problem(specs.forms[form])
                if refused is not None:
                    problem(
                        f"{BULK_COMPLETE_KEY}：表单 {form} 不能按表格逐行填写（{refused.zh}）",
                        f"{BULK_COMPLETE_KEY}: form {form} cannot be filled in as a table ({refused.en})",
                    )
