"""The checks of issue 14, point 2, on small models: each problem on its element, in Chinese and English.

Unreachable elements, loops without a way out, timers without an expression, scripts and conditions the
restricted environment refuses, data a condition or script reads that nothing writes; and the older lints
(unknown department, missing form, unknown operator, a subject task without ``notSubject``) now structured.
"""

from __future__ import annotations

import json
import re

import pytest

from workflows.problems import Problem
from workflows.specs import DefinitionError, parse_bundle

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)
FORM = {"type": "object", "properties": {"approved": {"type": "boolean", "title": "同意"}}}
CJK = re.compile(r"[\u4e00-\u9fff]")


def user_task(task_id: str, form: str = "decide.json", extra: str = "") -> str:
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id}"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />{extra}'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>\n"
    )


def bundle(
    nodes: str, flows: list[tuple[str, str, str | None]], lane: str = "police_bureau"
) -> dict[str, str]:
    """A process ``probe`` of ``nodes`` (each user task in one lane) joined by ``flows`` (source, target,
    condition or None)."""
    ids = re.findall(
        r"<bpmn:(?:userTask|scriptTask|serviceTask|startEvent|endEvent|exclusiveGateway|"
        r'intermediateCatchEvent)\s+id="([^"]+)"',
        nodes,
    )
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in ids)
    flow_xml = ""
    for n, (source, target, condition) in enumerate(flows):
        body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
        flow_xml += (
            f'<bpmn:sequenceFlow id="f{n}" sourceRef="{source}" targetRef="{target}">{body}'
            "</bpmn:sequenceFlow>\n"
        )
    bpmn = (
        HEAD
        + '<bpmn:process id="probe" isExecutable="true">\n'
        + f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>\n'
        + nodes
        + flow_xml
        + "</bpmn:process>\n</bpmn:definitions>\n"
    )
    start_form = {"type": "object", "properties": {"note": {"type": "string", "title": "说明"}}}
    return {"probe.bpmn": bpmn, "decide.json": json.dumps(FORM), "start.json": json.dumps(start_form)}


# Deploy's context: a start declared (a start form for the start by departments) and the use cases known.
START = (
    '<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="startedBy" value="departments:police_bureau" />'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="start.json" />'
    "</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>\n"
)
DEPLOY = {"known_use_cases": ["start_month"]}
END = '<bpmn:endEvent id="end" />\n'


def problems_of(files: dict[str, str], **kwargs: object) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files, **{**DEPLOY, **kwargs})  # type: ignore[arg-type]
    found = caught.value.found
    for problem in found:  # every problem is said in Chinese and in English, and placed
        assert CJK.search(problem.zh), problem
        assert problem.en and not CJK.search(problem.en.replace(problem.en, "")), problem
        assert problem.severity == "error"
    return found


def on(found: list[Problem], rule: str) -> list[tuple[str | None, str | None]]:
    return [(p.process_id, p.element_id) for p in found if p.rule == rule]


def test_a_clean_model_passes() -> None:
    files = bundle(
        START
        + user_task("decide")
        + '<bpmn:exclusiveGateway id="gate" default="f2" />\n'
        + user_task("redo")
        + END,
        [
            ("start", "decide", None),
            ("decide", "gate", None),
            ("gate", "end", None),
            ("gate", "redo", "approved == False"),
            ("redo", "end", None),
        ],
    )
    assert parse_bundle(files, **DEPLOY).process_ids == ["probe"]  # type: ignore[arg-type]


def test_an_element_no_start_reaches_is_refused_on_it() -> None:
    files = bundle(
        START + user_task("decide") + user_task("orphan") + END,
        [("start", "decide", None), ("decide", "end", None), ("orphan", "end", None)],
    )
    found = problems_of(files)
    assert on(found, "flow") == [("probe", "orphan")]
    (problem,) = [p for p in found if p.rule == "flow"]
    assert problem.zh == "没有从开始事件到达此元素的路径，它永远不会执行"
    assert problem.en == "no path from a start event reaches this element: it never runs"
    assert str(problem).startswith("probe/orphan: 没有从开始事件到达此元素的路径")


def test_a_loop_without_a_way_out_is_refused_on_its_elements() -> None:
    files = bundle(
        START + user_task("decide") + user_task("redo") + END,
        [("start", "decide", None), ("decide", "redo", None), ("redo", "decide", None)],
    )
    found = problems_of(files)
    never_ends = [p for p in found if "never finishes" in p.en]
    assert [p.element_id for p in never_ends] == ["decide", "redo", "start"]
    assert all("永远不会结束" in p.zh for p in never_ends)
    # The end event no flow leads to is unreachable, and said so.
    assert [p.element_id for p in found if "never runs" in p.en] == ["end"]


def test_a_timer_without_an_expression_is_refused_on_it() -> None:
    timer = (
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t" />'
        "</bpmn:intermediateCatchEvent>\n"
    )
    files = bundle(START + timer + END, [("start", "wait", None), ("wait", "end", None)])
    found = problems_of(files)
    assert [p.element_id for p in found] == ["wait"], found
    assert "定时器没有表达式" in found[0].zh
    empty = timer.replace(
        '<bpmn:timerEventDefinition id="t" />',
        '<bpmn:timerEventDefinition id="t"><bpmn:timeDuration></bpmn:timeDuration>'
        "</bpmn:timerEventDefinition>",
    )
    found = problems_of(bundle(START + empty + END, [("start", "wait", None), ("wait", "end", None)]))
    assert [p.element_id for p in found] == ["wait"], found
    assert "定时器" in found[0].zh and "timer" in found[0].en.lower()


def script_task(task_id: str, script: str) -> str:
    return (
        f'<bpmn:scriptTask id="{task_id}" name="{task_id}"><bpmn:script>{script}</bpmn:script>'
        "</bpmn:scriptTask>\n"
    )


@pytest.mark.parametrize(
    ("script", "condition", "element"),
    [
        ("shape = approved.__class__", None, "compute"),  # a dunder attribute: RestrictedPython refuses it
        ("_hidden = 1", None, "compute"),  # names starting with "_" are the sandbox's own
        ("total = 1", "__import__('os') is None", "gate"),  # in a gateway's condition
        ("total = (", None, "compute"),  # not even Python
    ],
)
def test_a_script_or_condition_the_restricted_environment_refuses_is_refused_at_check_time(
    script: str, condition: str | None, element: str
) -> None:
    files = bundle(
        START
        + user_task("decide")
        + script_task("compute", script)
        + '<bpmn:exclusiveGateway id="gate" default="f3" />\n'
        + user_task("redo")
        + END,
        [
            ("start", "decide", None),
            ("decide", "compute", None),
            ("compute", "gate", None),
            ("gate", "end", None),
            ("gate", "redo", condition or "approved == False"),
            ("redo", "end", None),
        ],
    )
    found = problems_of(files)
    assert on(found, "script") == [("probe", element)], found
    (problem,) = [p for p in found if p.rule == "script"]
    assert "受限脚本环境" in problem.zh and "restricted script environment refuses" in problem.en


def test_a_condition_reading_data_nothing_writes_is_refused_but_form_fields_are_known() -> None:
    files = bundle(
        START
        + user_task("decide")
        + script_task("compute", "total = 1 if approved else 0")
        + '<bpmn:exclusiveGateway id="gate" default="f3" />\n'
        + user_task("redo")
        + END,
        [
            ("start", "decide", None),
            ("decide", "compute", None),
            ("compute", "gate", None),
            ("gate", "end", None),
            ("gate", "redo", "aproved == False and total &gt; 0"),
            ("redo", "end", None),
        ],
    )
    found = problems_of(files)
    assert [(p.element_id, p.rule) for p in found] == [("gate", "data")], found
    assert "aproved" in found[0].zh and "'aproved'" in found[0].en
    assert "没有任何表单" in found[0].zh


def test_a_script_may_read_what_another_script_writes_and_its_own_loop_names() -> None:
    files = bundle(
        START
        + user_task("decide")
        + script_task("first", "items = [1, 2]")
        + script_task("second", "doubled = [x * 2 for x in items]\nfor y in items:\n    last = y")
        + END,
        [
            ("start", "decide", None),
            ("decide", "first", None),
            ("first", "second", None),
            ("second", "end", None),
        ],
    )
    assert parse_bundle(files, **DEPLOY).process_ids == ["probe"]  # type: ignore[arg-type]


START_BY_USE_CASE = (
    '<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="startedBy" value="usecase:start_month" />'
    "</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>\n"
)


def test_data_a_use_case_may_prepare_is_not_flagged_unless_the_start_data_is_declared() -> None:
    nodes = (
        START_BY_USE_CASE + '<bpmn:exclusiveGateway id="gate" default="f1" />\n' + user_task("decide") + END
    )
    flows = [
        ("start", "gate", None),
        ("gate", "end", None),
        ("gate", "decide", "officer_id &gt; 0 and month"),
        ("decide", "end", None),
    ]
    files = bundle(nodes, flows)
    assert parse_bundle(files, known_use_cases=["start_month"]).process_ids == ["probe"]  # not declared
    labels = {
        "labels": {"officer_id": {"title": "辅警编号", "x-title-en": "Officer", "x-written-by": "start"}}
    }
    files["data_labels.json"] = json.dumps(labels, ensure_ascii=False)
    found = problems_of(files, known_use_cases=["start_month"])
    assert [(p.element_id, p.rule) for p in found] == [("gate", "data")], found
    assert "month" in found[0].en and "officer_id" not in found[0].en


def test_the_older_lints_are_placed_on_their_elements_in_both_languages() -> None:
    service = (
        '<bpmn:serviceTask id="record"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="format_disk" resultVariable="done">'
        "<spiffworkflow:parameters />"
        "</spiffworkflow:serviceTaskOperator>"
        "</bpmn:extensionElements></bpmn:serviceTask>\n"
    )
    files = bundle(
        START + user_task("decide", form="missing.json") + service + END,
        [("start", "decide", None), ("decide", "record", None), ("record", "end", None)],
        lane="no_such_department",
    )
    found = problems_of(
        files,
        known_operators=["record_officer"],
        known_departments={"police_bureau": ("公安分局", "Police Bureau")},
    )
    by_element = {(p.element_id, p.zh) for p in found}
    assert ("decide", "表单 missing.json 不在流程定义包中") in by_element, found
    assert ("record", "服务任务的操作 'format_disk' 未登记（可用：record_officer）") in by_element, found
    assert any(
        p.element_id == "decide" and "不是已登记的部门" in p.zh and "公安分局 police_bureau" in p.zh
        for p in found
    )


def test_a_subject_task_without_not_subject_is_refused_in_chinese_too() -> None:
    not_subject = '<spiffworkflow:property name="notSubject" value="officer_id" />'
    files = bundle(
        START + user_task("score", extra=not_subject) + user_task("follow_up") + END,
        [("start", "score", None), ("score", "follow_up", None), ("follow_up", "end", None)],
    )
    (problem,) = problems_of(files)
    assert problem.element_id == "follow_up" and problem.process_id == "probe"
    assert "notSubject" in problem.zh and "officer_id" in problem.zh and "辅警" in problem.zh


def test_outside_deploy_a_refused_script_still_parses_so_the_run_time_guards_can_be_tested() -> None:
    files = bundle(
        START + script_task("compute", "shape = approved.__class__") + END,
        [("start", "compute", None), ("compute", "end", None)],
    )
    assert parse_bundle(files).process_ids == ["probe"]
    assert [p.element_id for p in problems_of(files)] == ["compute"]


def test_a_literal_timer_out_of_range_is_refused_in_both_languages() -> None:
    timer = (
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t">'
        '<bpmn:timeDuration>"P9999Y"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>\n"
    )
    (problem,) = problems_of(bundle(START + timer + END, [("start", "wait", None), ("wait", "end", None)]))
    assert problem.element_id == "wait" and problem.zh.startswith("定时器时长“P9999Y”超过")
    assert problem.en.startswith("timer duration 'P9999Y' is longer than")
