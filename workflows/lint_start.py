"""Lint how each process of a bundle is started (``startedBy`` on its start event, docs/design.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.extensions import (
    CALLED_ONLY,
    FORM_KEY,
    START_DEPARTMENT_PATTERN,
    STARTED_BY_KEY,
    StartRule,
    start_declarations,
)
from workflows.problems import Problem, on_element

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs


def lint_start(specs: ProcessSpecs, problems: list[Problem], known_use_cases: set[str] | None) -> None:
    for process_id in specs.process_ids:
        top = specs.top_level[process_id]
        declared = start_declarations(top)
        starts = [
            spec.name
            for spec in top.task_specs.values()
            if STARTED_BY_KEY in ((getattr(spec, "extensions", None) or {}).get("properties") or {})
        ]
        if len(declared) > 1:
            problems.append(
                on_element(
                    process_id,
                    None,
                    f"多个开始事件都声明了 {STARTED_BY_KEY}（{'、'.join(sorted(starts))}），只能有一个",
                    f"more than one start event declares {STARTED_BY_KEY}",
                )
            )
        elif not declared and known_use_cases is not None:
            problems.append(
                on_element(
                    process_id,
                    None,
                    f"流程未声明如何启动：请在开始事件上写 {STARTED_BY_KEY}（usecase:<用例>、"
                    f"departments:<部门代码>,... 或 heads:<部门代码>,... 并指定启动表单，或 {CALLED_ONLY}）",
                    f"the process does not declare how it is started ({STARTED_BY_KEY} on its "
                    f"start event: usecase:<name>, departments:<code>,... or heads:<code>,... with a start "
                    f"form, or {CALLED_ONLY})",
                )
            )
        for rule in declared:
            _lint_start_rule(
                specs, process_id, starts[0] if len(starts) == 1 else None, rule, problems, known_use_cases
            )


def _lint_start_rule(
    specs: ProcessSpecs,
    process_id: str,
    start: str | None,
    rule: StartRule,
    problems: list[Problem],
    known_use_cases: set[str] | None,
) -> None:
    said = f"{STARTED_BY_KEY}={rule.declared!r}"

    def problem(zh: str, en: str) -> None:
        problems.append(on_element(process_id, start, f"{said}：{zh}", f"{said}: {en}"))

    if rule.departments:
        bad = [code for code in rule.departments if not START_DEPARTMENT_PATTERN.match(code)]
        if bad:
            problem(f"{'、'.join(bad)} 不是部门代码", f"not department codes: {', '.join(bad)}")
        if rule.form is None:
            problem(
                f"通过接口或网页启动需要启动表单（属性 {FORM_KEY}）",
                f"a start through the API needs a start form ({FORM_KEY})",
            )
        elif rule.form not in specs.forms:
            problem(f"启动表单 {rule.form} 不在流程定义包中", f"start form {rule.form} is not in the bundle")
    elif rule.use_case or rule.called_only:
        if rule.form is not None:
            problem(
                "只有由部门或部门负责人启动的流程才有启动表单",
                "only a start by departments or heads takes a start form",
            )
        if rule.use_case and known_use_cases is not None and rule.use_case not in known_use_cases:
            known = ", ".join(sorted(known_use_cases))
            problem(f"服务没有用例 {rule.use_case!r}（可用：{known}）", f"unknown use case {rule.use_case!r}")
    else:
        problem(
            f"应为 usecase:<用例>、departments:<部门代码>,...、heads:<部门代码>,... 或 {CALLED_ONLY}",
            f"expected usecase:<name>, departments:<code>,..., heads:<code>,... or {CALLED_ONLY}",
        )
