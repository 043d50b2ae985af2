"""Issue 14, point 6: each mapping of a Camunda/Flowable model to our conventions, without the service.
The mapped files are parsed by the very parser deploy runs (XSD included) and hold nothing of Camunda."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from workflows.camunda import camunda_problems
from workflows.camunda_mapping import CONFIRM_FORM, MappedModel, ModelImportRefused, map_model
from workflows.camunda_rewrites import rewrite_expression, rewrite_timer
from workflows.engine import WorkflowEngine
from workflows.extensions import user_task_info
from workflows.specs import DefinitionError, parse_bundle

DEPARTMENTS = {
    "police_bureau": ("公安分局", "Public Security Sub-bureau"),
    "finance": ("财政金融局", "Finance Bureau"),
    "police_station:gushan": ("崮山派出所", "Gushan Police Station"),
}
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
FORM = '{"type": "object", "title": "表单", "x-title-en": "Form", "properties": {}}'
FIXTURE = Path(__file__).parents[1] / "fixtures" / "camunda"


def model(body: str, *, process_attrs: str = "", diagram: str = "", ns: str = CAMUNDA) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="{ns}"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p" name="测试" isExecutable="true" {process_attrs}>
{body}
  </bpmn:process>{diagram}
</bpmn:definitions>
"""


def chain(*nodes: str) -> str:
    """Start, the given nodes (each ``<tag id=... ...>inner``, closed here) in a row, end."""
    ids = ["start"] + [n.split('id="')[1].split('"')[0] for n in nodes] + ["end"]
    parts = ['<bpmn:startEvent id="start" />']
    for node in nodes:
        tag = node.split()[0].lstrip("<")
        parts.append(f"{node}</{tag}>")
    parts.append('<bpmn:endEvent id="end" />')
    parts += [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    ]
    return "\n".join(parts)


def mapped(files: dict[str, str]) -> MappedModel:
    return map_model(files, DEPARTMENTS, ["record_veto"])


def root_of(result: MappedModel, name: str = "m.bpmn") -> Any:
    return etree.fromstring(result.files[name].encode())


def texts(notes: list[Any], element: str) -> list[str]:
    return [n.en for n in notes if n.element_id == element]


def spiff_spec(files: dict[str, str], process_id: str = "p") -> Any:
    """The process as SpiffWorkflow's parser reads it, the XSD validation included (deploy's first step)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, text in files.items():
        if name.endswith(".bpmn"):
            parser.add_bpmn_xml(etree.fromstring(text.encode()), filename=name)
        elif name.endswith(".dmn"):
            parser.add_dmn_xml(etree.fromstring(text.encode()), filename=name)
    return parser.get_spec(process_id)


def lint_problems(files: dict[str, str]) -> list[str]:
    """What deploy's parse and lints (with the departments and operators) still say about the bundle."""
    try:
        parse_bundle(files, known_operators=["record_veto"], known_departments=DEPARTMENTS)
    except DefinitionError as error:
        return error.problems
    return []


def test_candidate_groups_naming_a_department_become_lanes_by_code() -> None:
    body = chain(
        '<bpmn:userTask id="a" camunda:candidateGroups="公安分局">',
        '<bpmn:userTask id="b" camunda:candidateGroups="Finance Bureau">',
        '<bpmn:userTask id="c" camunda:candidateGroups="police_bureau">',
    )
    result = mapped({"m.bpmn": model(body)})
    lanes = {lane.get("name"): [r.text for r in lane] for lane in root_of(result).iter("{*}lane")}
    assert lanes == {"police_bureau": ["start", "a", "c", "end"], "finance": ["b"]}
    assert "the lane police_bureau (Public Security Sub-bureau)" in texts(result.mapped, "a")[0]
    assert "泳道 finance（财政金融局）" in [n.zh for n in result.mapped if n.element_id == "b"][0]
    assert camunda_problems("m.bpmn", root_of(result)) == []
    assert CAMUNDA not in result.files["m.bpmn"]


def test_unknown_or_several_candidate_groups_are_problems() -> None:
    body = chain(
        '<bpmn:userTask id="a" camunda:candidateGroups="managers">',
        '<bpmn:userTask id="b" camunda:candidateGroups="police_bureau, finance">',
        '<bpmn:userTask id="c" camunda:candidateGroups="police_station:{town}">',
    )
    result = mapped({"m.bpmn": model(body)})
    (unknown,) = texts(result.problems, "a")
    assert "not a registered department" in unknown and "Finance Bureau finance" in unknown
    assert "a task goes to one department" in texts(result.problems, "b")[0]
    # A template of a registered kind is a lane as it is (the queue is resolved from the task's data).
    assert any("police_station:{town}" in lane.get("name") for lane in root_of(result).iter("{*}lane"))
    assert texts(result.problems, "c") == []


@pytest.mark.parametrize(
    "key", ["embedded:app:forms/review.json", "camunda-forms:deployment:review.form", "review", "review.json"]
)
def test_a_form_key_naming_an_uploaded_form_becomes_the_form_property(key: str) -> None:
    body = chain(f'<bpmn:userTask id="a" camunda:candidateGroups="finance" camunda:formKey="{key}">')
    result = mapped({"m.bpmn": model(body), "review.json": FORM})
    assert 'name="formJsonSchemaFilename" value="review.json"' in result.files["m.bpmn"]
    assert texts(result.problems, "a") == []


def test_a_form_key_naming_no_uploaded_form_is_a_problem_with_the_file_to_add() -> None:
    body = chain(
        '<bpmn:userTask id="a" camunda:candidateGroups="finance" camunda:formKey="embedded:app:x.html">'
    )
    result = mapped({"m.bpmn": model(body)})
    (problem,) = texts(result.problems, "a")
    assert "add the JSON Schema form x.json" in problem


def test_decision_ref_becomes_called_decision_id_and_parses() -> None:
    body = chain('<bpmn:businessRuleTask id="d" camunda:decisionRef="leave_days" camunda:resultVariable="r">')
    files = {"m.bpmn": model(body), "leave_days.dmn": (FIXTURE / "leave_days.dmn").read_text()}
    result = mapped(files)
    assert (
        "<spiffworkflow:calledDecisionId>leave_days</spiffworkflow:calledDecisionId>"
        in result.files["m.bpmn"]
    )
    assert any("resultVariable" in t for t in texts(result.problems, "d"))
    assert spiff_spec(result.files).task_specs["d"].dmnEngine is not None


def test_collection_and_element_variable_become_loop_data_refs() -> None:
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${officers}"'
        ' camunda:elementVariable="officer">'
        "<bpmn:completionCondition>False</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>"
    )
    body = chain(f'<bpmn:scriptTask id="s" scriptFormat="python">{loop}<bpmn:script>x = 1</bpmn:script>')
    result = mapped({"m.bpmn": model(body)})
    text = result.files["m.bpmn"]
    assert "<bpmn:loopDataInputRef>officers</bpmn:loopDataInputRef>" in text
    assert '<bpmn:inputDataItem id="officer" name="officer"/>' in text
    assert text.index("inputDataItem") < text.index("completionCondition")  # the XSD's order
    spec = spiff_spec(result.files).task_specs["s"]
    assert spec.data_input.bpmn_id == "officers" and spec.input_item.bpmn_id == "officer"
    assert len(texts(result.mapped, "s")) == 2


def test_a_collection_computed_by_an_expression_is_a_problem() -> None:
    loop = '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${bean.list()}" />'
    body = chain(f'<bpmn:scriptTask id="s" scriptFormat="python">{loop}<bpmn:script>x = 1</bpmn:script>')
    assert "compute it in a script task" in texts(mapped({"m.bpmn": model(body)}).problems, "s")[0]


@pytest.mark.parametrize(
    ("literal", "kind"),
    [
        ("P7D", "timeDuration"),
        ("PT1H", "timeDuration"),
        ("R3/PT10M", "timeCycle"),
        ("2026-01-01T00:00:00Z", "timeDate"),
    ],
)
def test_bare_iso_timers_are_quoted(literal: str, kind: str) -> None:
    timer = f"<bpmn:timerEventDefinition><bpmn:{kind}>{literal}</bpmn:{kind}></bpmn:timerEventDefinition>"
    body = chain(f'<bpmn:intermediateCatchEvent id="t">{timer}')
    result = mapped({"m.bpmn": model(body)})
    assert f'<bpmn:{kind}>"{literal}"</bpmn:{kind}>' in result.files["m.bpmn"]
    assert texts(result.mapped, "t") == [f'the timer {literal} became the expression "{literal}"']
    assert not [p for p in lint_problems(result.files) if "p/t" in p]  # the lint no longer refuses it


def test_timer_and_condition_expressions() -> None:
    assert rewrite_timer("${wait}") == "wait"
    assert rewrite_timer('"P7D"') is None and rewrite_timer("${dateTime().plusDays(2)}") is None
    assert rewrite_expression("${approved}") == "approved"
    assert rewrite_expression("${!approved}") == "not approved"
    assert rewrite_expression("${amount > 100 && level == 'bureau'}") == "amount > 100 and level == 'bureau'"
    assert rewrite_expression("${a eq 1 || b ne null}") == "a == 1 or b != None"
    assert rewrite_expression("${a != 1}") == "a != 1"
    assert rewrite_expression("${order.total > 5}") is None
    assert rewrite_expression("${empty list}") is None
    assert rewrite_expression("approved") is None


def test_manual_task_becomes_a_user_task_with_the_confirmation_form() -> None:
    body = chain(
        '<bpmn:manualTask id="m" name="交接">', '<bpmn:userTask id="u" camunda:candidateGroups="finance">'
    )
    result = mapped({"m.bpmn": model(body)})
    assert '<bpmn:userTask id="m" name="交接">' in result.files["m.bpmn"]
    assert CONFIRM_FORM in result.files
    info = user_task_info(spiff_spec(result.files).task_specs["m"])
    assert info.form == CONFIRM_FORM and info.lane == "finance"
    assert not [p for p in lint_problems(result.files) if p.startswith("p/m")]


def test_assignee_and_candidate_users_are_removed_as_problems() -> None:
    body = chain('<bpmn:userTask id="a" camunda:assignee="${head}" camunda:candidateUsers="wang,li">')
    result = mapped({"m.bpmn": model(body)})
    found = texts(result.problems, "a")
    assert len(found) == 2 and all("tasks go to departments" in t for t in found)
    assert "assignee" not in result.files["m.bpmn"]


def test_start_rules_from_candidate_starter_groups_or_a_problem() -> None:
    body = '<bpmn:startEvent id="s" camunda:formKey="start.json" /><bpmn:endEvent id="e" />'
    flows = '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />'
    attrs = 'camunda:candidateStarterGroups="公安分局"'
    result = mapped({"m.bpmn": model(body + flows, process_attrs=attrs), "start.json": FORM})
    assert 'name="startedBy" value="departments:police_bureau"' in result.files["m.bpmn"]
    assert texts(result.problems, "s") == []

    result = mapped({"m.bpmn": model(body + flows), "start.json": FORM})
    (problem,) = texts(result.problems, "s")
    assert "add the property startedBy, e.g. departments:police_bureau" in problem


def test_vendor_properties_listeners_and_service_classes() -> None:
    extensions = (
        '<bpmn:extensionElements><camunda:properties><camunda:property name="nameEn" value="Review" />'
        '</camunda:properties><camunda:executionListener class="a.B" event="start" />'
        "</bpmn:extensionElements>"
    )
    body = chain(
        f'<bpmn:userTask id="u" camunda:candidateGroups="finance" camunda:asyncBefore="true">{extensions}',
        '<bpmn:serviceTask id="svc" camunda:class="com.example.Notify">',
    )
    result = mapped({"m.bpmn": model(body)})
    assert '<spiffworkflow:property name="nameEn" value="Review"/>' in result.files["m.bpmn"]
    assert any("listeners are not run here" in t for t in texts(result.problems, "u"))
    assert any("asyncBefore" in t for t in texts(result.mapped, "u"))
    (service,) = texts(result.problems, "svc")
    assert "registered operator (record_veto)" in service
    # The properties where the XSD and the parser read them: the task's own extension elements.
    (prop,) = root_of(result).xpath("//*[@id='u']/*[local-name()='extensionElements']/*/*[@name='nameEn']")
    assert prop.get("value") == "Review"


def test_generated_form_fields_become_a_json_schema_form() -> None:
    fields = """<bpmn:extensionElements><camunda:formData>
      <camunda:formField id="approved" label="批准" type="boolean">
        <camunda:validation><camunda:constraint name="required" /></camunda:validation></camunda:formField>
      <camunda:formField id="days" label="天数" type="long" defaultValue="1">
        <camunda:validation><camunda:constraint name="min" config="1" />
        <camunda:constraint name="max" config="30" />
        </camunda:validation></camunda:formField>
      <camunda:formField id="kind" label="类别" type="enum">
        <camunda:value id="sick" name="病假" /><camunda:value id="annual" name="年假" /></camunda:formField>
      <camunda:formField id="start_on" label="开始日期" type="date" />
    </camunda:formData></bpmn:extensionElements>"""
    body = chain(f'<bpmn:userTask id="leave" name="请假" camunda:candidateGroups="finance">{fields}')
    result = mapped({"m.bpmn": model(body)})
    form = json.loads(result.files["leave.json"])
    assert form["title"] == "请假" and form["required"] == ["approved"]
    assert form["properties"]["days"] == {
        "title": "天数",
        "x-title-en": "天数",
        "type": "integer",
        "minimum": 1,
        "maximum": 30,
    }
    assert form["properties"]["kind"]["enum"] == ["sick", "annual"]
    assert form["properties"]["kind"]["x-enum-labels"]["zh"] == {"sick": "病假", "annual": "年假"}
    assert form["properties"]["start_on"]["format"] == "date"
    assert any("became the JSON Schema form leave.json" in t for t in texts(result.mapped, "leave"))
    left = texts(result.problems, "leave")
    assert any("English titles" in t for t in left) and any("defaultValue 1" in t for t in left)
    assert "formData" not in result.files["m.bpmn"]
    info = user_task_info(spiff_spec(result.files).task_specs["leave"])
    assert info.form == "leave.json"
    assert not [p for p in lint_problems(result.files) if "leave" in p]


def test_flowable_keys_are_mapped_the_same_way() -> None:
    body = chain('<bpmn:userTask id="a" camunda:candidateGroups="finance">')
    result = mapped({"m.bpmn": model(body, ns="http://flowable.org/bpmn")})
    assert [lane.get("name") for lane in root_of(result).iter("{*}lane")] == ["finance"]


def test_existing_lanes_named_by_department_names_get_codes() -> None:
    lanes = (
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="财政金融局">'
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>a</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
    )
    body = lanes + chain('<bpmn:userTask id="a" camunda:candidateGroups="police_bureau">')
    result = mapped({"m.bpmn": model(body)})
    assert [lane.get("name") for lane in root_of(result).iter("{*}lane")] == ["finance"]
    assert "the lane 财政金融局 became the department code finance" in texts(result.mapped, "l1")
    assert "move it to police_bureau's lane" in texts(result.problems, "a")[0]


def test_the_diagram_gets_a_pool_and_lane_shapes() -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in FIXTURE.iterdir()}
    result = mapped(files)
    root = root_of(result, "auxiliary_leave.bpmn")
    ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    shown = [shape.get("bpmnElement") for shape in root.iter("{*}BPMNShape")]
    assert set(shown) <= ids and {"Lane_police_bureau", "Lane_police_station_gushan"} <= set(shown)
    plane = next(root.iter("{*}BPMNPlane"))
    assert plane.get("bpmnElement") == "Collaboration_auxiliary_leave"
    bounds = {s.get("bpmnElement"): s.find("{*}Bounds") for s in root.iter("{*}BPMNShape")}

    def box(element: str) -> tuple[float, float, float, float]:
        b = bounds[element]
        return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))

    for task, lane in (
        ("Task_bureau_approve", "Lane_police_bureau"),
        ("Task_station_review", "Lane_police_station_gushan"),
    ):
        x, y, w, h = box(task)
        lx, ly, lw, lh = box(lane)
        assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (task, lane)
    # Each lane's elements inside it; the boundary timer still on its task's edge.
    tx, ty, tw, th = box("Task_bureau_approve")
    ex, ey, _, eh = box("Event_week")
    assert ty < ey + eh / 2 <= ty + th + 1 and tx <= ex <= tx + tw
    spiff_spec(result.files, "auxiliary_leave")  # the XSD and SpiffWorkflow's parser take it
    problems = lint_problems(result.files)
    assert any(p.startswith("auxiliary_leave/Task_escalate") and "form" in p for p in problems)
    assert not [p for p in problems if "lane" in p or "P7D" in p or "camunda" in p], problems


def test_unreadable_files_are_refused_with_file_and_line() -> None:
    with pytest.raises(ModelImportRefused) as refused:
        mapped({"m.bpmn": "<a>\n<b>\n</a>", "f.json": "{", "x.dmn": '<!DOCTYPE x [<!ENTITY e "x">]><x/>'})
    problems = [en for _, en in refused.value.problems]
    assert problems[0].startswith("f.json: not valid JSON")
    assert problems[1].startswith("m.bpmn:3: not well-formed XML")
    assert problems[2] == "x.dmn: DOCTYPE and entity declarations are not allowed"


GRADE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn"
    id="grades" name="等次" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="grade" name="等次" camunda:historyTimeToLive="30">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_score" label="分数"><inputExpression id="e1" typeRef="integer"><text>score</text>
      </inputExpression></input>
      <input id="in_status" label="状态"><inputExpression id="e2" typeRef="string"><text>status</text>
      </inputExpression></input>
      <output id="out" label="等次" name="grade" typeRef="string" />
      <rule id="r1"><inputEntry id="a1"><text>[90..100]</text></inputEntry>
        <inputEntry id="b1"><text>not("absent")</text></inputEntry>
        <outputEntry id="o1"><text>"A"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>[60..90)</text></inputEntry>
        <inputEntry id="b2"><text>-</text></inputEntry>
        <outputEntry id="o2"><text>"B"</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="a3"><text>&lt; 60, &gt; 100</text></inputEntry>
        <inputEntry id="b3"><text></text></inputEntry>
        <outputEntry id="o3"><text>"C"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="a4"><text>-</text></inputEntry>
        <inputEntry id="b4"><text>"absent","sick"</text></inputEntry>
        <outputEntry id="o4"><text>"X"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
SCORE_FORM = json.dumps(
    {
        "title": "分数",
        "x-title-en": "Score",
        "type": "object",
        "properties": {
            "score": {"title": "分数", "x-title-en": "Score", "type": "integer"},
            "status": {"title": "状态", "x-title-en": "Status", "type": "string"},
        },
    }
)


@pytest.mark.parametrize(
    ("score", "status", "grade"),
    [
        (95, "present", "A"),
        (95, "absent", "X"),
        (90, "sick", "A"),
        (75, "x", "B"),
        (40, "x", "C"),
        (101, "x", "C"),
        (60, "absent", "B"),
    ],
)
def test_feel_lists_ranges_and_negations_become_what_spiffworkflow_decides_with(
    score: int, status: str, grade: str
) -> None:
    start = '<bpmn:startEvent id="start" camunda:formKey="score.json" />'
    body = start + chain('<bpmn:businessRuleTask id="d" camunda:decisionRef="grade">').split("/>", 1)[1]
    attrs = 'camunda:candidateStarterGroups="finance"'
    result = mapped(
        {"m.bpmn": model(body, process_attrs=attrs), "grades.dmn": GRADE_DMN, "score.json": SCORE_FORM}
    )
    assert "<text>90 &lt;= ? &lt;= 100</text>" in result.files["grades.dmn"]
    assert '<text>? in ("absent", "sick")</text>' in result.files["grades.dmn"]
    assert any(n.element_id == "b1" and "not (? ==" in n.en for n in result.mapped)
    specs = parse_bundle(result.files, known_departments=DEPARTMENTS)
    workflow = WorkflowEngine().start(specs, "p", {"score": score, "status": status})
    assert workflow.is_completed() and workflow.data["grade"] == grade


def test_feel_that_cannot_be_converted_is_a_problem_on_its_entry() -> None:
    dmn = GRADE_DMN.replace("<text>[60..90)</text>", '<text>date("2026-01-01")</text>')
    result = mapped({"grades.dmn": dmn})
    (problem,) = [n for n in result.problems if n.element_id == "a2"]
    assert "cannot be converted" in problem.en and "1 <= ? <= 5" in problem.en


def test_a_task_inside_a_subprocess_gets_its_lane_too() -> None:
    inner = chain('<bpmn:userTask id="inner" camunda:candidateGroups="公安分局">').replace(
        'id="start"', 'id="s2"'
    )
    inner = inner.replace('"start"', '"s2"').replace('id="end"', 'id="e2"').replace('"end"', '"e2"')
    inner = inner.replace('id="f', 'id="g')
    body = chain(
        f'<bpmn:subProcess id="sub">{inner}', '<bpmn:userTask id="after" camunda:candidateGroups="finance">'
    )
    result = mapped({"m.bpmn": model(body)})
    lanes = {lane.get("name"): [r.text for r in lane] for lane in root_of(result).iter("{*}lane")}
    assert lanes == {"police_bureau": ["start", "sub", "inner"], "finance": ["after", "end"]}
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_xml(etree.fromstring(result.files["m.bpmn"].encode()), filename="m.bpmn")
    assert user_task_info(parser.get_spec("p").task_specs["after"]).lane == "finance"
    (sub,) = parser.get_subprocess_specs("p").values()
    assert user_task_info(sub.task_specs["inner"]).lane == "police_bureau"


CAMUNDA_FORM = {
    "id": "Form_review",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {"type": "text", "text": "# 请假审核"},
        {
            "key": "opinion",
            "label": "审核意见",
            "type": "textfield",
            "validate": {"required": True, "maxLength": 200},
        },
        {
            "key": "days",
            "label": "天数",
            "type": "number",
            "validate": {"min": 1, "max": 30},
            "defaultValue": 1,
        },
        {
            "key": "kind",
            "label": "类别",
            "type": "select",
            "values": [{"label": "病假", "value": "sick"}, {"label": "年假", "value": "annual"}],
        },
        {"key": "agree", "label": "同意", "type": "checkbox"},
        {"key": "start_on", "label": "开始日期", "type": "datetime", "subtype": "date"},
        {"type": "group", "components": [{"key": "note", "label": "备注", "type": "textarea"}]},
        {"key": "submit", "label": "提交", "type": "button"},
    ],
}


def test_a_camunda_form_becomes_a_json_schema_form_its_form_key_names() -> None:
    body = chain(
        '<bpmn:userTask id="a" camunda:candidateGroups="finance"'
        ' camunda:formKey="camunda-forms:deployment:review.form">'
    )
    result = mapped({"m.bpmn": model(body), "review.form": json.dumps(CAMUNDA_FORM)})
    assert "review.form" not in result.files
    form = json.loads(result.files["review.json"])
    assert list(form["properties"]) == ["opinion", "days", "kind", "agree", "start_on", "note"]
    assert form["required"] == ["opinion"]
    assert form["properties"]["opinion"]["maxLength"] == 200
    assert (form["properties"]["days"]["minimum"], form["properties"]["days"]["maximum"]) == (1, 30)
    assert form["properties"]["kind"]["x-enum-labels"]["zh"] == {"sick": "病假", "annual": "年假"}
    assert form["properties"]["start_on"]["format"] == "date"
    assert 'name="formJsonSchemaFilename" value="review.json"' in result.files["m.bpmn"]
    assert any(
        "the Camunda form review.form became the JSON Schema form review.json" in n.en for n in result.mapped
    )
    assert any("defaultValue 1" in n.en and n.file == "review.json" for n in result.problems)
    assert not [p for p in lint_problems(result.files) if "review" in p or "p/a" in p]
