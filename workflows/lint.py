"""Lint a parsed bundle against our conventions; every problem found is listed, none stops the others."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.defaults import EventBasedGateway
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.spiff.specs.defaults import ManualTask, NoneTask, ReceiveTask, ServiceTask, UserTask

from workflows.data_keys import is_reserved_key
from workflows.data_labels import label_problems
from workflows.extensions import (
    FORM_DEFAULTS_KEY,
    FORM_KEY,
    GROUNDS_KEY,
    LANE_PATTERN,
    MAY_END_EARLY_KEY,
    MOVES_DUE_DATE_KEY,
    NOT_SUBJECT_KEY,
    NOT_SUBJECT_WAIVED,
    PERSONAL_QUEUE_KIND,
    UserTaskInfo,
    attachment_problem,
    declares_may_end_early,
    is_timer_catch,
    user_task_info,
    user_task_problems,
)
from workflows.forms import row_table_problems
from workflows.lint_bulk import lint_bulk_complete
from workflows.lint_flow import BARE_ISO_TIMER, lint_flow, timer_english
from workflows.lint_start import lint_start
from workflows.problems import Problem, from_text, on_element
from workflows.semantics import merges_its_own_loop
from workflows.timers import TimerValueError, check_literal_timer

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs


def lint_bundle(
    specs: ProcessSpecs,
    known_operators: Iterable[str] | None,
    known_use_cases: Iterable[str] | None,
    stored: bool,
    known_panels: Iterable[str] | None = None,
    known_row_sources: Iterable[str] | None = None,
    known_departments: Mapping[str, tuple[str, str]] | None = None,
) -> list[Problem]:
    """Every convention ``specs`` breaks; a ``stored`` bundle is held only to what it needs to run.

    ``known_panels``: the grounds panels the service renders (a task page cannot show another name);
    ``known_row_sources``: the row sources a form's table may list (``x-rows``, workflows.forms);
    ``known_departments``: the registered departments, code to (Chinese, English) name: lanes name them.
    """
    problems: list[Problem] = []
    _lint(specs, problems, set(known_operators) if known_operators is not None else None, known_departments)
    if known_panels is not None:
        _lint_grounds(specs, problems, set(known_panels))
    if known_row_sources is not None:
        sources = set(known_row_sources)
        for name in sorted(specs.forms):
            problems.extend(
                from_text(text, specs.files) for text in row_table_problems(name, specs.forms[name], sources)
            )
    lint_start(specs, problems, set(known_use_cases) if known_use_cases is not None else None)
    lint_bulk_complete(specs, problems)  # a table of the step's tasks (docs/design.md, "Bulk scoring")
    if known_departments is not None:
        _lint_lanes(specs, problems, known_departments)
    if known_use_cases is not None and not stored:  # deploy: what no one here could ever move on
        _lint_dead_ends(specs, problems)
        problems.extend(lint_flow(specs))  # unreachable elements, endless loops, scripts, data nothing sets
    if not stored:  # a stored bundle's data names were accepted at its deploy; its instances go on
        _lint_data_names(specs, problems)
        _lint_loop_merges(specs, problems)
        problems.extend(
            from_text(text, specs.files) for text in label_problems(specs)
        )  # people read the data by these titles (instance page)
    return problems


def _all_task_specs(specs: ProcessSpecs) -> Iterable[tuple[str, Any]]:
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in [top, *subs.values()]:
            for task_spec in wf_spec.task_specs.values():
                yield process_id, task_spec


def _lint(
    specs: ProcessSpecs,
    problems: list[Problem],
    known_operators: set[str] | None,
    known_departments: Mapping[str, tuple[str, str]] | None,
) -> None:
    user_tasks: dict[str, list[UserTaskInfo]] = {}
    for process_id, task_spec in _all_task_specs(specs):

        def problem(zh: str, en: str, process_id: str = process_id, element: str = task_spec.name) -> None:
            problems.append(on_element(process_id, element, zh, en))

        _lint_may_end_early(process_id, task_spec, problems)
        if isinstance(task_spec, UserTask):
            info = user_task_info(task_spec)
            user_tasks.setdefault(process_id, []).append(info)
            if not info.lane:
                problem(
                    "用户任务不在任何泳道中，请放入以部门代码命名的泳道",
                    "user task lies in no lane (lanes name departments)",
                )
            elif not LANE_PATTERN.match(info.lane) and known_departments is None:
                problem(
                    f"泳道名 {info.lane!r} 不是部门代码", f"lane name {info.lane!r} is not a department code"
                )
            if (unknown := attachment_problem(info)) is not None:
                problem(*unknown)
            for found in user_task_problems(info):  # `dueDayOfNextMonth`, on-behalf entry
                problem(*found)
            if info.form is None:
                problem(f"用户任务未指定表单（属性 {FORM_KEY}）", f"user task names no form ({FORM_KEY})")
            elif info.form not in specs.forms:
                problem(f"表单 {info.form} 不在流程定义包中", f"form {info.form} is not in the bundle")
            else:
                fields = specs.forms[info.form].get("properties", {})
                for name in (name for name, _ in info.form_defaults if name not in fields):
                    problem(
                        f"{FORM_DEFAULTS_KEY} 中的 {name!r} 不是该任务表单的字段",
                        f"{FORM_DEFAULTS_KEY} names {name!r}, not a field of its form",
                    )
        elif is_timer_catch(task_spec) or isinstance(
            getattr(task_spec, "event_definition", None), MultipleEventDefinition
        ):
            try:
                check_literal_timer(task_spec.event_definition)
            except TimerValueError as error:
                problem(str(error), timer_english(str(error)))
        elif isinstance(task_spec, ServiceTask):
            specs.service_operators.add(task_spec.operation_name)
            if known_operators is not None and task_spec.operation_name not in known_operators:
                known = ", ".join(sorted(known_operators))
                problem(
                    f"服务任务的操作 {task_spec.operation_name!r} 未登记（可用：{known}）",
                    f"unknown service operator {task_spec.operation_name!r} (registered: {known})",
                )
    for process_id, infos in user_tasks.items():
        _lint_subject(process_id, infos, problems)
        _lint_moves_due_date(specs, process_id, infos, problems)


def _lint_lanes(
    specs: ProcessSpecs, problems: list[Problem], departments: Mapping[str, tuple[str, str]]
) -> None:
    """A user task's lane names a registered department by its code, or a scoped kind of them by a template
    (``police_station:{town}``): a lane naming nobody would queue its tasks where no one looks. A lane
    written as a department's name gets the code to use; any other the list of departments."""
    by_name = {name.strip().lower(): code for code, names in departments.items() for name in names}
    valid_zh = "、".join(f"{zh} {code}" for code, (zh, _) in sorted(departments.items()))
    valid_en = "; ".join(f"{en} {code}" for code, (_, en) in sorted(departments.items()))
    for process_id, task_spec in _all_task_specs(specs):
        if not isinstance(task_spec, UserTask):
            continue
        lane = user_task_info(task_spec).lane
        if not lane or _names_departments(lane, departments):
            continue
        code = by_name.get(lane.strip().lower())
        if code is not None:
            problems.append(
                on_element(
                    process_id,
                    task_spec.name,
                    f"泳道 {lane!r} 是部门名称，泳道名应写部门代码 {code!r}",
                    f"lane {lane!r} is a department's name; lanes name its code: did you mean {code}?",
                )
            )
        else:
            problems.append(
                on_element(
                    process_id,
                    task_spec.name,
                    f"泳道 {lane!r} 不是已登记的部门（可用：{valid_zh}）",
                    f"lane {lane!r} is not a registered department (valid: {valid_en})",
                )
            )


def _names_departments(lane: str, departments: Mapping[str, tuple[str, str]]) -> bool:
    if lane in departments:
        return True
    kind, _, scope = lane.partition(":")
    if kind == PERSONAL_QUEUE_KIND:  # `officer:{officer_id}`: the officer's own queue, scoped by data
        return bool(LANE_PATTERN.match(lane)) and scope.startswith("{")
    # A template such as `police_station:{town}` picks one department of its kind from task data.
    return (
        bool(LANE_PATTERN.match(lane))
        and scope.startswith("{")
        and any(code.startswith(f"{kind}:") for code in departments)
    )


def _lint_dead_ends(specs: ProcessSpecs, problems: list[Problem]) -> None:
    """Refuse elements no one here can ever move on: tasks offered to nobody, and waits for a message (the
    service has no endpoint that delivers messages). Each problem names its element and the fix."""
    for process_id, task_spec in _all_task_specs(specs):

        def problem(zh: str, en: str, process_id: str = process_id, element: str = task_spec.name) -> None:
            problems.append(on_element(process_id, element, zh, en))

        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, ManualTask | NoneTask) and not isinstance(task_spec, UserTask):
            kind = "manualTask" if isinstance(task_spec, ManualTask) else "task"
            problem(
                f"{kind} 不会派给任何人，请改为用户任务（userTask，放在部门泳道并指定表单）",
                f"a {kind} is offered to no one: make it a userTask in a department's lane with a form",
            )
        elif isinstance(task_spec, ReceiveTask) or isinstance(definition, MessageEventDefinition):
            problem(
                "本服务无法投递消息，等待消息的元素永远不会继续，请改用用户任务或定时器",
                "the service cannot deliver messages, so a message start, catch or receive task never"
                " goes on: use a user task or a timer",
            )
        elif isinstance(task_spec, EventBasedGateway):
            problem(
                "事件网关等待消息或定时器，本服务无法投递消息，请改用排他网关或定时器",
                "an event-based gateway waits for messages the service cannot deliver: use an exclusive"
                " gateway or a timer",
            )
        elif is_timer_catch(task_spec) and BARE_ISO_TIMER.match(
            (task_spec.event_definition.expression or "").strip()
        ):
            literal = task_spec.event_definition.expression.strip()
            problem(
                f'定时器 {literal} 须写成带引号的表达式 "{literal}"',
                f'timer {literal} is read as an expression: quote it, "{literal}"',
            )


def _lint_may_end_early(process_id: str, task_spec: Any, problems: list[Problem]) -> None:
    """``mayEndEarly`` is ``true`` or ``false``, on a timeDate timer catch event only (the service moves
    such a timer through the data its date expression reads)."""
    declared = declares_may_end_early(task_spec)
    if declared is None:
        return
    if declared.lower() not in ("true", "false"):
        problems.append(
            on_element(
                process_id,
                task_spec.name,
                f"{MAY_END_EARLY_KEY} 只能是 'true' 或 'false'，不能是 {declared!r}",
                f"{MAY_END_EARLY_KEY} must be 'true' or 'false', not {declared!r}",
            )
        )
    if not is_timer_catch(task_spec) or not isinstance(task_spec.event_definition, TimeDateEventDefinition):
        problems.append(
            on_element(
                process_id,
                task_spec.name,
                f"{MAY_END_EARLY_KEY} 只能用于按日期（timeDate）定时的定时器捕获事件",
                f"{MAY_END_EARLY_KEY} is for a timer catch event with a timeDate only",
            )
        )


def _lint_moves_due_date(
    specs: ProcessSpecs, process_id: str, infos: list[UserTaskInfo], problems: list[Problem]
) -> None:
    """A follow-up that moves a due date names a user task of its process that reads its due time from
    data (``dueAtVariable``), and a date field of its own form."""
    by_id = {info.spec_name: info for info in infos}
    for info in infos:
        if info.moves_due_date is None:
            continue
        target, field = info.moves_due_date
        if target not in by_id or not by_id[target].due_at_variable:
            problems.append(
                on_element(
                    process_id,
                    info.spec_name,
                    f"{MOVES_DUE_DATE_KEY} 中的 {target!r} 不是有截止时间（dueAtVariable）的用户任务",
                    f"{MOVES_DUE_DATE_KEY} names {target!r}, not a user task with a due date",
                )
            )
        node = specs.forms.get(info.form or "", {}).get("properties", {}).get(field, {})
        if node.get("format") != "date":
            problems.append(
                on_element(
                    process_id,
                    info.spec_name,
                    f"{MOVES_DUE_DATE_KEY} 中的 {field!r} 不是该任务表单的日期字段",
                    f"{MOVES_DUE_DATE_KEY} names {field!r}, not a date field of its form",
                )
            )


def _lint_grounds(specs: ProcessSpecs, problems: list[Problem], known_panels: set[str]) -> None:
    """Refuse a ``grounds`` panel the service does not provide, in both languages (designers read either)."""
    known = ", ".join(sorted(known_panels))
    for process_id, task_spec in _all_task_specs(specs):
        if not isinstance(task_spec, UserTask):
            continue
        for name in user_task_info(task_spec).grounds:
            if name not in known_panels:
                problems.append(
                    on_element(
                        process_id,
                        task_spec.name,
                        f"{GROUNDS_KEY} 中的面板 {name!r} 不存在（可用：{known}）",
                        f"{GROUNDS_KEY} names unknown panel {name!r} (known: {known})",
                    )
                )


def _lint_subject(process_id: str, infos: list[UserTaskInfo], problems: list[Problem]) -> None:
    """A process is about an officer once one of its user tasks names them (``notSubject``); then each of
    its user tasks (those of its subprocesses and called processes too) names them, or opts out with "-"."""
    keys = sorted({info.not_subject for info in infos if info.not_subject})
    if not keys:
        return
    for info in infos:
        if info.not_subject is None and not info.not_subject_waived:
            problems.append(
                on_element(
                    process_id,
                    info.spec_name,
                    f"本流程涉及 {'、'.join(keys)} 所指的辅警（其他任务声明了 {NOT_SUBJECT_KEY}），此用户任务"
                    f"也须声明 {NOT_SUBJECT_KEY}，或写 {NOT_SUBJECT_KEY} = {NOT_SUBJECT_WAIVED!r}"
                    "允许该辅警本人办理",
                    f"the process is about the officer named by {', '.join(keys)}"
                    f" (other tasks declare {NOT_SUBJECT_KEY}), so this user task must declare"
                    f" {NOT_SUBJECT_KEY}"
                    f" too, or {NOT_SUBJECT_KEY} = {NOT_SUBJECT_WAIVED!r} to let that officer do it",
                )
            )


def _lint_data_names(specs: ProcessSpecs, problems: list[Problem]) -> None:
    """Refuse form fields and result variables named like the script sandbox's names (data_keys)."""
    for name, schema in sorted(specs.forms.items()):
        for key in sorted(schema.get("properties") or {}):
            if is_reserved_key(key):
                problems.append(
                    Problem(
                        f"字段 {key!r} 与脚本环境中的名称冲突（不能以下划线开头，也不能是 Python 内置名称）",
                        f"field {key!r} would shadow a name of the script environment",
                        file=name,
                    )
                )
    for process_id, task_spec in _all_task_specs(specs):
        if isinstance(task_spec, ServiceTask) and is_reserved_key(task_spec.result_variable):
            problems.append(
                on_element(
                    process_id,
                    task_spec.name,
                    f"结果变量 {task_spec.result_variable!r} 与脚本环境中的名称冲突",
                    f"result variable {task_spec.result_variable!r} would shadow a name of the script"
                    " environment",
                )
            )


def _lint_loop_merges(specs: ProcessSpecs, problems: list[Problem]) -> None:
    """Refuse a parallel gateway that merges a loop back: by BPMN it waits for ever (workflows.semantics)."""
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            for gateway in merges_its_own_loop(wf_spec):
                problems.append(
                    on_element(
                        process_id,
                        gateway,
                        "并行网关合并了只能经由它自身返回的流程，会永远等待；循环请用排他网关合并",
                        "parallel gateway merges a flow that can only come back through itself, so it would"
                        " wait for ever; merge a loop with an exclusive gateway",
                    )
                )
