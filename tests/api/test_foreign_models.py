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
