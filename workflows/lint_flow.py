"""Lints of a process's flow and code, each problem on its element (issue 14, point 2):

- an element no path from a start event reaches (it can never run);
- an element from which no path leads to an end (a loop without a way out: the instance never finishes);
- a timer without an expression;
- a script, condition or expression the restricted environment refuses to compile (workflows.scripting,
  the very compiler the engine runs them with), found at check time rather than when an instance gets there;
- a condition or script reading data nothing in the bundle could write: no form (start or task), service
  task result, decision output, script assignment, multi-instance item, data object or declared start data
  (``x-written-by: start`` in data_labels.json). Conservative: a bundle started by a use case that does not
  declare its start data is not checked for this, since the use case may prepare any key.

They run at deploy (and in a draft's check), like the dead ends of workflows/lint.py: a model parsed with no
start use cases given (the engine's own tests) may hold what they refuse, so the run-time guards are tested.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ScriptTask, ServiceTask

from workflows.data_labels import form_fields, starts_by_use_case, written_keys
from workflows.extensions import is_timer_catch
from workflows.problems import Problem, on_element
from workflows.script_limits import ScriptRejectedError
from workflows.scripting import _ALLOWED_BUILTINS, _compile_eval, _compile_exec

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs

EXPRESSION, SCRIPT = "expression", "script"
# A timer written as a bare ISO 8601 literal (Camunda's way): SpiffWorkflow evaluates it as an expression
# (workflows/lint.py refuses it with the fix: quote it).
BARE_ISO_TIMER = re.compile(
    r"^(R\d*/)?(P(?=\d|T\d)[\dYMWDTHS.]+|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-][\d:]+)?)?)$"
)
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def lint_flow(specs: ProcessSpecs) -> list[Problem]:
    problems: list[Problem] = []
    known = _known_data(specs)
    parsed: set[str] = set()
    processes: set[str] = set()
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        processes.update({process_id, *subs})
        for wf_spec in (top, *subs.values()):
            parsed.update(spec.bpmn_id for spec in wf_spec.task_specs.values() if _is_element(spec))
            problems.extend(_lint_graph(process_id, wf_spec))
            for task_spec in wf_spec.task_specs.values():
                problems.extend(_lint_code(process_id, task_spec, known))
    problems.extend(_unparsed(specs, processes, parsed))
    return problems


# -- the flow ----------------------------------------------------------------------------------------------


def _is_element(task_spec: Any) -> bool:
    """A task spec drawn in the diagram (SpiffWorkflow adds its own: Start, End, joins, boundary splits, and
    a multi-instance's "<id> [child]", which its parent runs rather than a flow)."""
    bpmn_id = getattr(task_spec, "bpmn_id", None)
    return bpmn_id is not None and task_spec.name == bpmn_id


def _successors(task_spec: Any) -> set[Any]:
    """The elements a token goes to from ``task_spec``, through SpiffWorkflow's own specs."""
    found: set[Any] = set()
    pending, seen = list(task_spec.outputs), set()
    while pending:
        spec = pending.pop()
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if _is_element(spec):
            found.add(spec)
        else:
            pending.extend(spec.outputs)
    return found


_FLOW_NODES = {
    f"{{{BPMN}}}{tag}"
    for tag in (
        "task userTask serviceTask scriptTask businessRuleTask manualTask sendTask receiveTask callActivity "
        "subProcess transaction adHocSubProcess startEvent endEvent intermediateCatchEvent "
        "intermediateThrowEvent boundaryEvent exclusiveGateway parallelGateway inclusiveGateway "
        "eventBasedGateway complexGateway"
    ).split()
}


def _unreachable(process_id: str, element_id: str) -> Problem:
    return on_element(
        process_id,
        element_id,
        "没有从开始事件到达此元素的路径，它永远不会执行",
        "no path from a start event reaches this element: it never runs",
        rule="flow",
    )


def _unparsed(specs: ProcessSpecs, processes: set[str], parsed: set[str]) -> Iterator[Problem]:
    """Elements of the diagrams SpiffWorkflow never reached: its parser follows the flows from the start
    events, so an element no flow leads to is not even in the specs."""
    from workflows.specs import BPMN_SUFFIXES, _safe_xml  # noqa: PLC0415 - specs imports this module

    for name in sorted(specs.files):
        if not name.endswith(BPMN_SUFFIXES):
            continue
        for process in _safe_xml(name, specs.files[name]).iter(f"{{{BPMN}}}process"):
            if process.get("id") not in processes:
                continue
            for node in process.iter(*_FLOW_NODES):
                element_id = node.get("id")
                if element_id and element_id not in parsed:
                    yield _unreachable(str(process.get("id")), element_id)


def _lint_graph(process_id: str, wf_spec: Any) -> Iterator[Problem]:
    elements = [spec for spec in wf_spec.task_specs.values() if _is_element(spec)]
    following = {spec.name: _successors(spec) for spec in elements}
    reached = {spec.name for spec in _successors(wf_spec.start)}
    pending = list(reached)
    while pending:
        for spec in following[pending.pop()]:
            if spec.name not in reached:
                reached.add(spec.name)
                pending.append(spec.name)
    # Elements that finish: an end event, or one without a way on (an implicit end, bpmnlint's to flag).
    finishing = {spec.name for spec in elements if isinstance(spec, EndEvent) or not following[spec.name]}
    changed = True
    while changed:
        changed = False
        for spec in elements:
            if spec.name not in finishing and any(s.name in finishing for s in following[spec.name]):
                finishing.add(spec.name)
                changed = True
    for spec in sorted(elements, key=lambda spec: spec.name):
        if spec.name not in reached:
            yield _unreachable(process_id, spec.name)
        elif spec.name not in finishing:
            yield on_element(
                process_id,
                spec.name,
                "从此元素出发没有通往结束事件的路径（循环没有出口），流程实例永远不会结束",
                "no path leads from this element to an end (a loop without a way out): the instance never"
                " finishes",
                rule="flow",
            )


# -- scripts and expressions -------------------------------------------------------------------------------


def _code_of(task_spec: Any) -> Iterator[tuple[str, str, str]]:
    """(kind, what it is, text) of each script and expression ``task_spec`` runs."""
    if isinstance(task_spec, ScriptTask) and task_spec.script:
        yield SCRIPT, "脚本", task_spec.script
    for attribute in ("prescript", "postscript"):
        if getattr(task_spec, attribute, None):
            yield SCRIPT, attribute, getattr(task_spec, attribute)
    for condition, _target in getattr(task_spec, "cond_task_specs", None) or []:
        if condition is not None and condition.args and isinstance(condition.args[0], str):
            yield EXPRESSION, "条件", condition.args[0]
    timer = (task_spec.event_definition.expression or "").strip() if is_timer_catch(task_spec) else ""
    if timer and not BARE_ISO_TIMER.match(timer):
        yield EXPRESSION, "定时器表达式", timer
    if isinstance(task_spec, ServiceTask):
        for name, param in (task_spec.operation_params or {}).items():
            value = param.get("value") if isinstance(param, dict) else None
            if isinstance(value, str) and value.strip():
                yield EXPRESSION, f"参数 {name}", value
    for attribute in ("cardinality", "condition"):
        value = getattr(task_spec, attribute, None)
        if isinstance(value, str) and value.strip():
            yield EXPRESSION, attribute, value
    if isinstance(task_spec, BusinessRuleTask):
        for item in task_spec.dmnEngine.decision_table.inputs:
            if (item.expression or "").strip():
                yield EXPRESSION, f"决策输入 {item.label or item.id}", item.expression


def _lint_code(process_id: str, task_spec: Any, known: set[str] | None) -> Iterator[Problem]:
    if is_timer_catch(task_spec) and not (task_spec.event_definition.expression or "").strip():
        yield on_element(
            process_id,
            task_spec.name,
            "定时器没有表达式：请写 timeDate、timeDuration 或 timeCycle 表达式",
            "the timer has no expression: give it a timeDate, timeDuration or timeCycle expression",
            rule="timer",
        )
    for kind, label, text in _code_of(task_spec):
        try:
            (_compile_exec if kind == SCRIPT else _compile_eval)(text)
        except ScriptRejectedError as error:
            yield on_element(
                process_id,
                task_spec.name,
                f"{label}未通过受限脚本环境的检查：{error}（{_excerpt(text)}）",
                f"the restricted script environment refuses this {kind}: {error} ({_excerpt(text)})",
                rule="script",
            )
            continue
        if known is None:
            continue
        for name in sorted(_read_names(text, kind) - known):
            yield on_element(
                process_id,
                task_spec.name,
                f"{label}读取数据项 {name}，但流程中没有任何表单、服务任务、决策、脚本或启动数据提供它",
                f"this {kind} reads {name!r}, which no form, service task, decision, script or start data of"
                " the bundle provides",
                rule="data",
            )


def _excerpt(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else f"{line[:57]}..."


# -- data nothing writes -----------------------------------------------------------------------------------


def _known_data(specs: ProcessSpecs) -> set[str] | None:
    """Every key something in the bundle could write; None when a use case may prepare any key."""
    labels = (specs.data_labels or {}).get("labels") or {}
    declared_start = {
        key for key, node in labels.items() if isinstance(node, dict) and node.get("x-written-by") == "start"
    }
    if starts_by_use_case(specs) and not declared_start:
        return None
    if any(rule is None for rule in specs.start_rules.values()):  # no declared start: any start data
        return None
    known = set(labels) | set(form_fields(specs)) | written_keys(specs) | _builtin_names()
    for process_id in specs.process_ids:
        top, subs = specs.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            known.update(getattr(wf_spec, "data_objects", None) or {})
            for task_spec in wf_spec.task_specs.values():
                known.update(_items_of(task_spec))
                for kind, _label, text in _code_of(task_spec):
                    if kind == SCRIPT:
                        known.update(_bound_names(text, kind))
    return known


def _items_of(task_spec: Any) -> Iterable[str]:
    """A multi-instance's collection, item and output names."""
    for attribute in ("data_input", "data_output", "input_item", "output_item"):
        item = getattr(task_spec, attribute, None)
        name = getattr(item, "bpmn_id", None)
        if name:
            yield name


def _builtin_names() -> set[str]:
    return set(_ALLOWED_BUILTINS) | {"True", "False", "None"}


def _parse(text: str, kind: str) -> ast.AST | None:
    try:
        return ast.parse(
            text.strip() if kind == EXPRESSION else text, mode="eval" if kind == EXPRESSION else "exec"
        )
    except SyntaxError:
        return None


def _bound_names(text: str, kind: str) -> set[str]:
    """Names ``text`` binds itself: assignments, loop and comprehension targets, functions, arguments."""
    tree = _parse(text, kind)
    if tree is None:
        return set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda) and hasattr(node, "name"):
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def _read_names(text: str, kind: str) -> set[str]:
    """Names ``text`` reads that it does not bind itself (nor the sandbox's own, ``_``-names)."""
    tree = _parse(text, kind)
    if tree is None:
        return set()
    read = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and not node.id.startswith("_")
    }
    return read - _bound_names(text, kind)


# The timer refusals of workflows/timers.py (in Chinese) in English: (pattern, English template).
_TIMER_ENGLISH = (
    (r"定时器时间“(.*)”不是 ISO 8601 日期时间", "timer date {0!r} is not an ISO 8601 date-time"),
    (r"定时器时长“(.*)”不是 ISO 8601 时长", "timer duration {0!r} is not an ISO 8601 duration"),
    (r"定时器时长“(.*)”超过 (\d+) 年", "timer duration {0!r} is longer than {1} years"),
    (r"定时器时长“(.*)”超出范围", "timer duration {0!r} is out of range"),
    (
        r"定时器周期“(.*)”不是 ISO 8601 重复间隔",
        "timer cycle {0!r} is not an ISO 8601 repeating interval (R3/PT1H)",
    ),
    (r"定时器周期“(.*)”的重复次数不是整数", "timer cycle {0!r}: the number of repetitions is not an integer"),
    (r"定时器周期“(.*)”的重复次数超过 (\d+)", "timer cycle {0!r} repeats more than {1} times"),
    (r"定时器周期“(.*)”应为", "timer cycle {0!r} must be R<n>/<duration> or R<n>/<start>/<duration>"),
    (r"定时器周期“(.*)”的间隔短于 (\d+) 秒", "timer cycle {0!r} repeats more often than every {1} seconds"),
    (
        r"不支持在多重事件中使用定时器",
        "a timer in a multiple event is not supported: use a timer event of its own",
    ),
    (r"定时器表达式“(.*)”的值不是字符串", "timer expression {0!r} does not give a string"),
)


def timer_english(said: str) -> str:
    """A timer refusal of workflows/timers.py in English."""
    for pattern, english in _TIMER_ENGLISH:
        match = re.match(pattern, said, re.DOTALL)
        if match:
            return english.format(*match.groups())
    return f"the timer's value cannot be used ({said})"
