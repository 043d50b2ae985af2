"""parse_bundle refuses unsafe XML and bundles that break the BPMN conventions, naming what is wrong.

A bundle comes from people (uploaded through the API), so XML tricks (DOCTYPE, external entities, entity
expansion) must be refused before SpiffWorkflow sees the document, and the lint must refuse user tasks
that cannot be routed (no lane, lane not a department) or rendered (form missing), and service tasks whose
operator the service does not have.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from workflows.specs import (
    MAX_FILE_BYTES,
    DefinitionError,
    attach_forms,
    bundle_sha256,
    parse_bundle,
    read_bundle,
)

ROOT = Path(__file__).resolve().parents[2]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="test_definitions" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)

FORM = '{"type": "object", "properties": {"note": {"type": "string", "title": "备注"}}}'

USER_TASK = textwrap.dedent("""\
    <bpmn:userTask id="fill_in" name="填写">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="note.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
""")

USER_TASK_WITHOUT_FORM = textwrap.dedent("""\
    <bpmn:userTask id="fill_in" name="填写">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
""")

SERVICE_TASK = textwrap.dedent("""\
    <bpmn:serviceTask id="fill_in_task" name="调用">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="@OPERATOR@" resultVariable="result">
          <spiffworkflow:parameters />
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
""")


def lanes(name: str, task_id: str = "fill_in") -> str:
    return (
        f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="{name}">'
        f"<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>{task_id}</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n"
    )


def process(task: str, lane_set: str = "", task_id: str = "fill_in", process_id: str = "probe") -> str:
    """start -> ``task`` (whose id is ``task_id``) -> end, optionally inside one lane."""
    return (
        HEAD
        + f'<bpmn:process id="{process_id}" isExecutable="true">\n'
        + lane_set
        + '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
        + task
        + '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n'
        + f'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{task_id}" />\n'
        + f'<bpmn:sequenceFlow id="f2" sourceRef="{task_id}" targetRef="end" />\n'
        + "</bpmn:process>\n</bpmn:definitions>\n"
    )


def service_process(operator: str) -> str:
    return process(SERVICE_TASK.replace("@OPERATOR@", operator), task_id="fill_in_task")


def refusal(files: dict[str, str], **kwargs: object) -> list[str]:
    """Parse ``files``, expect a DefinitionError and return its problems."""
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files, **kwargs)  # type: ignore[arg-type]
    problems = caught.value.english
    assert problems, "a refusal must say why"
    assert str(caught.value) == "; ".join(problems)
    return problems


def test_a_valid_bundle_is_accepted() -> None:
    specs = parse_bundle({"probe.bpmn": process(USER_TASK, lanes("police_bureau")), "note.json": FORM})
    assert specs.process_ids == ["probe"]
    assert set(specs.forms) == {"note.json"}


# -- unsafe XML ------------------------------------------------------------------------------------------

XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>'
XXE_PARAMETER = (
    '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>\n<x/>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10)
    )
    + "]>\n<lolz>&lol9;</lolz>"
)
ENTITY_ONLY = '<?xml version="1.0"?>\n<!ENTITY e "x">\n<x/>'
DOCTYPE_IN_BPMN = process(USER_TASK, lanes("police_bureau")).replace(
    "<bpmn:definitions", '<!DOCTYPE bpmn:definitions [<!ENTITY name "填写">]>\n<bpmn:definitions', 1
)


@pytest.mark.parametrize("name", ["evil.bpmn", "evil.dmn"])
@pytest.mark.parametrize(
    "text",
    [XXE, XXE_PARAMETER, BILLION_LAUGHS, ENTITY_ONLY, DOCTYPE_IN_BPMN],
    ids=["xxe", "xxe_parameter_entity", "billion_laughs", "entity_declaration", "doctype_in_valid_bpmn"],
)
def test_doctype_and_entities_are_refused(name: str, text: str) -> None:
    problems = refusal({name: text})
    assert len(problems) == 1
    assert problems[0].startswith(f"{name}:")
    assert "DOCTYPE" in problems[0]


def test_doctype_hidden_by_an_encoding_declaration_is_refused() -> None:
    # A deployable process, preceded by a DOCTYPE whose '<' and '>' are UTF-7 encoded.
    body = service_process("record_officer").split("\n", 1)[1]
    text = (
        '<?xml version="1.0" encoding="UTF-7"?>\n'
        '+ADw-!DOCTYPE bpmn:definitions +AFs-+ADw-!ENTITY e SYSTEM "file:///etc/passwd"+AD4-+AF0-+AD4-\n'
        + body.encode("utf-7").decode("ascii")
    )
    problems = refusal({"evil.bpmn": text})
    # A bundle's file is text already decoded, so its declared encoding is replaced by UTF-8 before
    # parsing (workflows.specs.as_utf8_xml): the UTF-7 escapes stay escapes, and the file is refused.
    assert len(problems) == 1 and problems[0].startswith("evil.bpmn: ")
    assert "root:" not in problems[0]


@pytest.mark.parametrize(
    "text",
    [
        HEAD + '<bpmn:process id="p" isExecutable="true">',
        "<x><y></x></y>",
        "not xml at all",
        "",
        '<?xml version="1.0"?><x a="1" a="2"/>',
    ],
    ids=["unclosed", "crossed", "text", "empty", "duplicate_attribute"],
)
def test_non_well_formed_xml_is_refused(text: str) -> None:
    problems = refusal({"broken.bpmn": text})
    assert len(problems) == 1
    assert problems[0].startswith("broken.bpmn: not well-formed XML")


def test_every_broken_file_is_reported() -> None:
    problems = refusal({"a.bpmn": "<x>", "b.dmn": XXE, "c.json": "{", "d.txt": "hello"})
    assert [problem.split(":")[0] for problem in problems] == ["a.bpmn", "b.dmn", "c.json", "d.txt"]


def test_oversized_file_is_refused() -> None:
    text = HEAD + "<!--" + "x" * MAX_FILE_BYTES + "-->" + "</bpmn:definitions>"
    problems = refusal({"big.bpmn": text})
    assert problems == [f"big.bpmn: file larger than {MAX_FILE_BYTES} bytes"]


def test_bundle_without_executable_process_is_refused() -> None:
    problems = refusal({"empty.bpmn": HEAD + "</bpmn:definitions>"})
    assert problems == ["the bundle holds no executable process"]


# -- the lint: lanes, forms and operators -------------------------------------------------------------


def test_user_task_without_a_lane_is_refused() -> None:
    problems = refusal({"probe.bpmn": process(USER_TASK), "note.json": FORM})
    assert problems == ["probe/fill_in: user task lies in no lane (lanes name departments)"]


def test_user_task_without_a_form_property_is_refused() -> None:
    problems = refusal({"probe.bpmn": process(USER_TASK_WITHOUT_FORM, lanes("police_bureau"))})
    assert len(problems) == 1
    assert problems[0].startswith("probe/fill_in:")
    assert "formJsonSchemaFilename" in problems[0]


def test_user_task_whose_form_is_missing_from_the_bundle_is_refused() -> None:
    problems = refusal({"probe.bpmn": process(USER_TASK, lanes("police_bureau"))})
    assert problems == ["probe/fill_in: form note.json is not in the bundle"]


def test_attach_forms_does_not_invent_a_missing_form(tmp_path: Path) -> None:
    files = attach_forms({"probe.bpmn": process(USER_TASK, lanes("police_bureau"))}, tmp_path)
    assert set(files) == {"probe.bpmn"}
    assert "note.json is not in the bundle" in refusal(files)[0]


def test_invalid_form_file_is_refused() -> None:
    problems = refusal({"probe.bpmn": process(USER_TASK, lanes("police_bureau")), "note.json": '["a"]'})
    assert len(problems) == 1
    assert problems[0].startswith("note.json:")


@pytest.mark.parametrize(
    "lane",
    ["Police Bureau", "公安分局", "police-bureau", "police_bureau:", "police_station:{Town}", "a:b:c", ""],
)
def test_lane_that_is_not_a_department_code_is_refused(lane: str) -> None:
    problems = refusal({"probe.bpmn": process(USER_TASK, lanes(lane)), "note.json": FORM})
    assert len(problems) == 1
    assert problems[0].startswith("probe/fill_in: ")
    assert "lane" in problems[0]


@pytest.mark.parametrize("lane", ["police_bureau", "finance", "police_station:{town}", "town_gov:zhangcun"])
def test_department_lanes_are_accepted(lane: str) -> None:
    specs = parse_bundle({"probe.bpmn": process(USER_TASK, lanes(lane)), "note.json": FORM})
    assert specs.process_ids == ["probe"]


def test_unknown_service_operator_is_refused_when_operators_are_known() -> None:
    problems = refusal({"probe.bpmn": service_process("format_disk")}, known_operators=["record_officer"])
    assert problems == [
        "probe/fill_in_task: unknown service operator 'format_disk' (registered: record_officer)"
    ]


def test_known_service_operator_is_accepted_and_listed() -> None:
    files = {"probe.bpmn": service_process("record_officer")}
    specs = parse_bundle(files, known_operators={"record_officer"})
    assert specs.service_operators == {"record_officer"}


def test_operators_are_not_checked_without_a_list() -> None:
    specs = parse_bundle({"probe.bpmn": service_process("anything")})
    assert specs.service_operators == {"anything"}


def test_empty_operator_list_refuses_every_service_task() -> None:
    problems = refusal({"probe.bpmn": service_process("record_officer")}, known_operators=[])
    assert problems == ["probe/fill_in_task: unknown service operator 'record_officer' (registered: )"]


def test_every_lint_problem_is_reported() -> None:
    files = {
        "a.bpmn": process(USER_TASK, process_id="first"),
        "b.bpmn": process(USER_TASK, lanes("Not A Department"), process_id="second"),
        "c.bpmn": service_process("format_disk").replace('id="probe"', 'id="third"'),
    }
    problems = refusal(files, known_operators=[])
    assert sorted(problem.split(":")[0] for problem in problems) == [
        "first/fill_in",
        "first/fill_in",
        "second/fill_in",
        "second/fill_in",
        "third/fill_in_task",
    ]


@pytest.mark.parametrize("folder", sorted(p.name for p in (ROOT / "bpmn").iterdir() if p.is_dir()))
def test_bundled_models_pass_the_lint_with_their_own_operators(folder: str) -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / folder), ROOT / "forms")
    operators = parse_bundle(files).service_operators
    assert operators
    assert parse_bundle(files, known_operators=operators).process_ids


# -- bundle_sha256 --------------------------------------------------------------------------------------


def test_bundle_sha256_is_independent_of_file_order() -> None:
    files = {"b.bpmn": "<b/>", "a.dmn": "<a/>", "c.json": "{}"}
    reordered = dict(reversed(list(files.items())))
    assert list(files) != list(reordered)
    assert bundle_sha256(files) == bundle_sha256(reordered)
    assert len(bundle_sha256(files)) == 64
    int(bundle_sha256(files), 16)


@pytest.mark.parametrize(
    "other",
    [
        {"b.bpmn": "<b/>", "a.dmn": "<a/>", "c.json": "{ }"},
        {"b.bpmn": "<b/>", "a.dmn": "<a/>", "d.json": "{}"},
        {"b.bpmn": "<b/>", "a.dmn": "<a/>"},
        {"b.bpmn": "<b/>a.dmn", "": "<a/>", "c.json": "{}"},
    ],
    ids=["content", "name", "missing_file", "shifted_boundary"],
)
def test_bundle_sha256_changes_with_names_and_contents(other: dict[str, str]) -> None:
    assert bundle_sha256(other) != bundle_sha256({"b.bpmn": "<b/>", "a.dmn": "<a/>", "c.json": "{}"})


def test_parsed_specs_carry_the_bundle_hash() -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")
    reordered = dict(sorted(files.items(), reverse=True))
    assert parse_bundle(files).sha256 == parse_bundle(reordered).sha256 == bundle_sha256(files)
