"""Who may start a process is part of its model, and data cannot take the script sandbox's names.

A process declares on its start event how it may be started (``startedBy``); deploy refuses a process that
does not, and a declaration that cannot work. A data key that would shadow a sandbox name is refused, and
the restricted environment keeps its guards whatever the data holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.data_keys import BUILTIN_NAMES, is_reserved_key, reserved_key_errors
from workflows.engine import WorkflowEngine
from workflows.extensions import StartRule
from workflows.scripting import _ALLOWED_BUILTINS, RestrictedEnvironment, _restricted_globals
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
USE_CASES = {"register_application", "start_post_hiring", "start_month"}
EXPECTED_KINDS = "expected usecase:<name>, departments:<code>,..., heads:<code>,... or callActivity"

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="test_definitions" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)
START_FORM = '{"type": "object", "additionalProperties": false, "properties": {"note": {"type": "string"}}}'


def start_event(event_id: str = "start", **properties: str) -> tuple[str, str]:
    """A start event's id and XML, with ``properties`` as its spiffworkflow properties."""
    props = "".join(
        f'<spiffworkflow:property name="{name}" value="{value}" />' for name, value in properties.items()
    )
    extensions = (
        f"<bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties>"
        "</bpmn:extensionElements>"
        if props
        else ""
    )
    outgoing = f"<bpmn:outgoing>f_{event_id}</bpmn:outgoing>"
    xml = f'<bpmn:startEvent id="{event_id}">{extensions}{outgoing}</bpmn:startEvent>'
    return event_id, xml


def process(*starts: tuple[str, str], script: str = "done = True", result_variable: str = "") -> str:
    """Start event(s) -> a script task (or a service task with ``result_variable``) -> end."""
    incoming = "".join(f"<bpmn:incoming>f_{event_id}</bpmn:incoming>" for event_id, _xml in starts)
    if result_variable:
        work = (
            '<bpmn:serviceTask id="work"><bpmn:extensionElements>'
            f'<spiffworkflow:serviceTaskOperator id="anything" resultVariable="{result_variable}">'
            "<spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"
            f"{incoming}<bpmn:outgoing>f_end</bpmn:outgoing></bpmn:serviceTask>"
        )
    else:
        work = (
            f'<bpmn:scriptTask id="work" scriptFormat="python">{incoming}<bpmn:outgoing>f_end</bpmn:outgoing>'
            f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
        )
    flows = "".join(
        f'<bpmn:sequenceFlow id="f_{event_id}" sourceRef="{event_id}" targetRef="work" />'
        for event_id, _xml in starts
    )
    return (
        HEAD
        + '<bpmn:process id="probe" isExecutable="true">\n'
        + "".join(xml for _event_id, xml in starts)
        + work
        + '<bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>'
        + flows
        + '<bpmn:sequenceFlow id="f_end" sourceRef="work" targetRef="end" />'
        + "</bpmn:process>\n</bpmn:definitions>\n"
    )


def deploy_problems(files: dict[str, str]) -> list[str]:
    """Parse ``files`` as deploy does (with the service's use cases) and return the problems found."""
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files, known_use_cases=USE_CASES)
    return caught.value.english


# -- the declaration and its lint -------------------------------------------------------------------------


def test_deploy_refuses_a_process_that_does_not_declare_how_it_starts() -> None:
    problems = deploy_problems({"probe.bpmn": process(start_event())})
    assert len(problems) == 1
    assert "probe: the process does not declare how it is started (startedBy" in problems[0]


def test_a_bundle_loaded_without_the_use_cases_needs_no_declaration_and_starts_nothing() -> None:
    # Bundles stored before the rule (and models in engine tests) still load; nothing may start them.
    specs = parse_bundle({"probe.bpmn": process(start_event())})
    assert specs.start_rules == {"probe": None}


def test_each_kind_of_declaration_is_read() -> None:
    by_use_case = parse_bundle(
        {"probe.bpmn": process(start_event(startedBy="usecase:start_month"))}, known_use_cases=USE_CASES
    )
    assert by_use_case.start_rules["probe"] == StartRule(
        declared="usecase:start_month", use_case="start_month"
    )
    by_departments = parse_bundle(
        {
            "probe.bpmn": process(
                start_event(startedBy="departments:police_bureau, finance", formJsonSchemaFilename="s.json")
            ),
            "s.json": START_FORM,
        },
        known_use_cases=USE_CASES,
    )
    rule = by_departments.start_rules["probe"]
    assert rule is not None and rule.departments == ("police_bureau", "finance") and rule.form == "s.json"
    assert not rule.heads_only
    by_heads = parse_bundle(
        {
            "probe.bpmn": process(
                start_event(startedBy="heads:police_bureau", formJsonSchemaFilename="s.json")
            ),
            "s.json": START_FORM,
        },
        known_use_cases=USE_CASES,
    )
    assert by_heads.start_rules["probe"] == StartRule(
        declared="heads:police_bureau", departments=("police_bureau",), form="s.json", heads_only=True
    )
    called = parse_bundle(
        {"probe.bpmn": process(start_event(startedBy="callActivity"))}, known_use_cases=set()
    )
    rule = called.start_rules["probe"]
    assert rule is not None and rule.called_only and not rule.departments and rule.use_case is None


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"startedBy": "departments:police_bureau"}, "a start through the API needs a start form"),
        (
            {"startedBy": "departments:police_bureau", "formJsonSchemaFilename": "missing.json"},
            "start form missing.json is not in the bundle",
        ),
        (
            {"startedBy": "departments:police_station:{town}", "formJsonSchemaFilename": "s.json"},
            "not department codes: police_station:{town}",
        ),
        ({"startedBy": "usecase:reopen_everything"}, "unknown use case 'reopen_everything'"),
        (
            {"startedBy": "usecase:start_month", "formJsonSchemaFilename": "s.json"},
            "only a start by departments or heads takes a start form",
        ),
        ({"startedBy": "heads:police_bureau"}, "a start through the API needs a start form"),
        (
            {"startedBy": "heads:Police Bureau", "formJsonSchemaFilename": "s.json"},
            "not department codes: Police Bureau",
        ),
        ({"startedBy": "anyone"}, EXPECTED_KINDS),
        ({"startedBy": "departments:"}, EXPECTED_KINDS),
        ({"startedBy": "heads:"}, EXPECTED_KINDS),
    ],
)
def test_deploy_refuses_a_declaration_that_cannot_work(properties: dict[str, str], expected: str) -> None:
    problems = deploy_problems({"probe.bpmn": process(start_event(**properties)), "s.json": START_FORM})
    assert any(expected in problem for problem in problems), problems


def test_two_start_events_may_not_both_declare() -> None:
    two = process(
        start_event("start_a", startedBy="usecase:start_month"),
        start_event("start_b", startedBy="callActivity"),
    )
    assert any("more than one start event declares startedBy" in p for p in deploy_problems({"p.bpmn": two}))


def test_the_bundled_processes_declare_who_starts_them() -> None:
    rules = {}
    for family in ("recruitment", "appraisal"):
        files = attach_forms(read_bundle(ROOT / "bpmn" / family), ROOT / "forms")
        rules.update(parse_bundle(files, known_use_cases=USE_CASES).start_rules)
    assert rules == {
        "recruitment": StartRule(
            declared="heads:police_bureau",
            departments=("police_bureau",),
            form="recruitment_start.json",
            heads_only=True,
        ),
        "applicant_screening": StartRule(
            declared="usecase:register_application", use_case="register_application"
        ),
        "post_hiring": StartRule(declared="usecase:start_post_hiring", use_case="start_post_hiring"),
        "appraisal": StartRule(declared="usecase:start_month", use_case="start_month"),
    }


# -- data keys that would shadow the sandbox's names ------------------------------------------------------


def test_every_name_the_sandbox_injects_is_a_reserved_data_key() -> None:
    guards = _restricted_globals()
    injected = set(guards) | set(guards["__builtins__"]) | set(_ALLOWED_BUILTINS)
    assert [name for name in sorted(injected) if not is_reserved_key(name)] == []
    assert {"len", "range", "sum", "open", "getattr", "type", "id"} <= BUILTIN_NAMES


def test_reserved_keys_are_named_and_ordinary_keys_pass() -> None:
    data = {"_getattr_": None, "__builtins__": {}, "len": 3, "age": 25, "plan": {"_nested": 1}}
    errors = reserved_key_errors(data)
    assert [e.field for e in errors] == ["_getattr_", "__builtins__", "len"]
    assert "_getattr_" in errors[0].message and "_getattr_" in errors[0].message_en
    assert reserved_key_errors({"age": 25, "disqualifiers": [], "plan_title": "x"}) == []


def test_deploy_refuses_form_fields_and_result_variables_named_like_the_sandbox() -> None:
    form = '{"type": "object", "properties": {"_getattr_": {"type": "string"}, "type": {"type": "string"}}}'
    start = start_event(startedBy="departments:police_bureau", formJsonSchemaFilename="s.json")
    problems = deploy_problems({"probe.bpmn": process(start), "s.json": form})
    assert "s.json: field '_getattr_' would shadow a name of the script environment" in problems
    assert "s.json: field 'type' would shadow a name of the script environment" in problems
    service = process(start_event(startedBy="callActivity"), result_variable="__builtins__")
    problems = deploy_problems({"probe.bpmn": service})
    assert any("result variable '__builtins__' would shadow" in p for p in problems), problems


# -- the restricted environment keeps its guards whatever the data holds ----------------------------------

POISON = {"_getattr_": None, "__builtins__": {}, "_getitem_": None, "_write_": None}


def test_data_cannot_replace_the_guards_of_an_expression() -> None:
    environment = RestrictedEnvironment()
    context = {**POISON, "name": "abc", "items": [1, 2, 3], "plan": {"total": 4}}
    assert environment.evaluate('len(items) + plan["total"]', context) == 7
    assert environment.evaluate("name.upper()", context) == "ABC"


def test_data_cannot_replace_the_guards_of_a_script() -> None:
    context = {**POISON, "items": [1, 2, 3]}
    RestrictedEnvironment().execute("count = len(items)\nlabel = str(count).zfill(3)", context)
    assert context["count"] == 3 and context["label"] == "003"


def test_a_started_instance_runs_its_scripts_with_the_guards_whatever_its_start_data() -> None:
    specs = parse_bundle({"probe.bpmn": process(start_event(), script="n = len(items)")})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "probe", {**POISON, "items": [1, 2]})
    assert engine.is_completed(workflow)
    assert engine.data(workflow)["n"] == 2


def test_the_guards_still_refuse_what_they_refuse() -> None:
    # Putting the guards last must not loosen them: a private attribute stays out of reach.
    with pytest.raises(Exception, match="__class__|invalid attribute name|not allowed"):
        RestrictedEnvironment().evaluate("name.__class__", {"name": "x"})
