"""Issue 14, point 6: models from other tools. Deploy (POST /api/v1/definitions) is honest with them: a
`.bpmn20.xml` file is BPMN, lanes name registered departments (refusals list them by name and code), and
SpiffWorkflow's validation errors name their element (a service task without an operator gets the list of
operators) and XSD errors their line."""

from __future__ import annotations

import re
from pathlib import Path

from service.usecases.runner import OPERATORS
from tests.conftest import User
from workflows.specs import attach_forms, read_bundle

ROOT = Path(__file__).parents[2]
FINANCE_LANE = '<bpmn:lane id="lane_finance" name="finance">'


def recruitment_files() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")


def with_finance_lane(name: str) -> dict[str, str]:
    files = recruitment_files()
    assert files["recruitment.bpmn"].count(FINANCE_LANE) == 1
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        FINANCE_LANE, f'<bpmn:lane id="lane_finance" name="{name}">'
    )
    return files


def lane_problems(body: dict) -> list[str]:
    return [p for p in body["errors"]["problems"] if "lane" in p]


def test_a_bpmn20_xml_file_deploys_as_bpmn(users: dict[str, User]) -> None:
    files = recruitment_files()
    files["recruitment.bpmn20.xml"] = files.pop("recruitment.bpmn")
    deployed = users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    assert "recruitment" in {d["process_id"] for d in deployed}


def test_a_lane_naming_no_registered_department_is_refused_with_the_list(users: dict[str, User]) -> None:
    body = users["designer"].post(
        "/api/v1/definitions", {"files": with_finance_lane("no_such_department")}, expect=422
    )
    problems = lane_problems(body)
    assert problems and all("'no_such_department'" in p for p in problems)
    assert all(p.startswith("recruitment/") for p in problems)
    first = problems[0]
    assert "不是已登记的部门" in first and "is not a registered department" in first
    assert "财政金融局 finance" in first and "Finance Bureau finance" in first
    assert "公安分局 police_bureau" in first and "Public Security Sub-bureau police_bureau" in first


def test_a_lane_named_by_a_department_name_gets_its_code(users: dict[str, User]) -> None:
    for name in ("财政金融局", "Finance Bureau"):
        body = users["designer"].post("/api/v1/definitions", {"files": with_finance_lane(name)}, expect=422)
        problems = lane_problems(body)
        assert problems, name
        assert all("did you mean finance?" in p and "部门代码 'finance'" in p for p in problems), problems


def test_lane_templates_of_a_registered_kind_deploy_and_others_are_refused(users: dict[str, User]) -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")
    template = '<bpmn:lane id="lane_town_gov" name="town_gov:{town}">'
    assert template in files["appraisal.bpmn"]
    users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    files["appraisal.bpmn"] = files["appraisal.bpmn"].replace(
        template, template.replace("town_gov:", "nowhere:")
    )
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    problems = lane_problems(body)
    assert problems and all("'nowhere:{town}'" in p for p in problems)


def appraisal_files() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")


def test_a_service_task_without_an_operator_is_named_with_the_registered_operators(
    users: dict[str, User],
) -> None:
    files = appraisal_files()
    operator = re.compile(
        r'<spiffworkflow:serviceTaskOperator id="record_veto".*?</spiffworkflow:serviceTaskOperator>', re.S
    )
    assert operator.search(files["appraisal.bpmn"])
    files["appraisal.bpmn"] = operator.sub("", files["appraisal.bpmn"])
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    (problem,) = body["errors"]["problems"]
    assert problem.startswith("appraisal.bpmn:record_veto_task: 服务任务未指定操作")
    assert "service task names no operator" in problem and "spiffworkflow:serviceTaskOperator" in problem
    listed = problem.split("(registered: ")[1].rstrip(")").split(", ")
    assert listed == sorted(OPERATORS) and "record_veto" in listed


def test_xsd_errors_keep_their_line_number(users: dict[str, User]) -> None:
    files = appraisal_files()
    lines = files["appraisal.bpmn"].splitlines()
    at = next(n for n, line in enumerate(lines) if "<bpmn:laneSet" in line)
    lines[at] = lines[at].replace("<bpmn:laneSet", "<bpmn:bogus /><bpmn:laneSet")
    files["appraisal.bpmn"] = "\n".join(lines)
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    (problem,) = body["errors"]["problems"]
    assert problem.startswith(f"appraisal.bpmn:{at + 1}: ") and "bogus" in problem


DEAD_ENDS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="x">
  <bpmn:message id="ping" name="ping" />
  <bpmn:process id="dead_ends" name="Dead ends" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startedBy" value="callActivity" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:task id="plain"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>
    <bpmn:manualTask id="by_hand"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:receiveTask id="receive" messageRef="ping"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:receiveTask>
    <bpmn:intermediateCatchEvent id="wait_ping"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:messageEventDefinition id="ping_def" messageRef="ping" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="week"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:eventBasedGateway id="either"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
    </bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="quoted"><bpmn:incoming>f7</bpmn:incoming>
      <bpmn:outgoing>f8</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P7D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="plain" />
    <bpmn:sequenceFlow id="f2" sourceRef="plain" targetRef="by_hand" />
    <bpmn:sequenceFlow id="f3" sourceRef="by_hand" targetRef="receive" />
    <bpmn:sequenceFlow id="f4" sourceRef="receive" targetRef="wait_ping" />
    <bpmn:sequenceFlow id="f5" sourceRef="wait_ping" targetRef="week" />
    <bpmn:sequenceFlow id="f6" sourceRef="week" targetRef="either" />
    <bpmn:sequenceFlow id="f7" sourceRef="either" targetRef="quoted" />
    <bpmn:sequenceFlow id="f8" sourceRef="quoted" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_deploy_refuses_what_no_one_here_could_move_on(users: dict[str, User]) -> None:
    body = users["designer"].post("/api/v1/definitions", {"files": {"dead_ends.bpmn": DEAD_ENDS}}, expect=422)
    by_element = {p.split(":")[0]: p for p in body["errors"]["problems"]}
    assert sorted(by_element) == [
        "dead_ends/by_hand",
        "dead_ends/either",
        "dead_ends/plain",
        "dead_ends/receive",
        "dead_ends/wait_ping",
        "dead_ends/week",
    ], body
    assert (
        "make it a userTask" in by_element["dead_ends/plain"] and "a task is" in by_element["dead_ends/plain"]
    )
    assert "a manualTask is" in by_element["dead_ends/by_hand"]
    assert "cannot deliver messages" in by_element["dead_ends/receive"]
    assert "cannot deliver messages" in by_element["dead_ends/wait_ping"]
    assert "event-based gateway" in by_element["dead_ends/either"]
    assert 'quote it, "P7D"' in by_element["dead_ends/week"] and "带引号" in by_element["dead_ends/week"]


def test_camunda_attributes_are_listed_on_their_element_with_the_fix(users: dict[str, User]) -> None:
    files = recruitment_files()
    text = files["recruitment.bpmn"].replace(
        "<bpmn:definitions ", '<bpmn:definitions xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ', 1
    )
    task = '<bpmn:userTask id="confirm_funding" name="确认经费保障">'
    assert task in text
    text = text.replace(
        task,
        task.replace(">", ' camunda:candidateGroups="finance" camunda:formKey="funding">'),
    )
    at = text.index("<bpmn:extensionElements>", text.index('id="confirm_funding"')) + len(
        "<bpmn:extensionElements>"
    )
    io = (
        '<camunda:inputOutput><camunda:inputParameter name="x">1</camunda:inputParameter>'
        "</camunda:inputOutput>"
    )
    text = text[:at] + io + text[at:]
    files["recruitment.bpmn"] = text
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    problems = body["errors"]["problems"]
    assert len(problems) == 3, problems
    assert all(p.startswith("recruitment.bpmn:") and ":confirm_funding: camunda:" in p for p in problems)
    (groups,) = [p for p in problems if "candidateGroups" in p]
    assert "lane named by the department's code" in groups and "本服务不读取" in groups
    (form,) = [p for p in problems if "formKey" in p]
    assert "formJsonSchemaFilename" in form
    assert any("camunda:inputOutput is ignored here" in p for p in problems)
