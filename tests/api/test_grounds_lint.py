"""Issue 11, point 2: a model may name only the grounds panels the service renders; deploying one that names
another is refused, in Chinese and English, and the bundled models name only known ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.usecases.grounds import PANELS
from tests.conftest import User
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).parents[2]
DECLARED = '<spiffworkflow:property name="grounds" value="plan_table" />'


def recruitment_files() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")


def test_the_bundled_models_name_only_known_panels() -> None:
    for family in ("recruitment", "appraisal"):
        files = attach_forms(read_bundle(ROOT / "bpmn" / family), ROOT / "forms")
        specs = parse_bundle(files, known_panels=PANELS)
        declared = {
            name
            for process_id in specs.process_ids
            for spec in specs.top_level[process_id].task_specs
            if (info := specs.user_task(process_id, spec)) is not None
            for name in info.grounds
        }
        assert declared and declared <= set(PANELS), (family, declared)


def test_an_unknown_panel_is_refused_with_a_message_in_both_languages() -> None:
    files = recruitment_files()
    assert files["recruitment.bpmn"].count(DECLARED) == 2  # the review and the funding
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        DECLARED, DECLARED.replace("plan_table", "budget"), 1
    )
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(files, known_panels=PANELS)
    known = ", ".join(sorted(PANELS))
    assert refused.value.problems == [
        f"recruitment/review_plan: grounds 中的面板 'budget' 不存在（可用：{known}）"
        f" / grounds names unknown panel 'budget' (known: {known})"
    ]
    # Loading a stored bundle again does not check: the panel is left out of its task pages instead.
    assert parse_bundle(files, stored=True).process_ids


def test_deploy_refuses_an_unknown_panel(users: dict[str, User]) -> None:
    files = recruitment_files()
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        DECLARED, DECLARED.replace("plan_table", "plan_table, salary_chart")
    )
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    unknown = [p for p in body["errors"]["problems"] if "salary_chart" in p]
    assert sorted(p.split(":")[0] for p in unknown) == [
        "recruitment/confirm_funding",
        "recruitment/review_plan",
    ]
    assert all("不存在" in p and "unknown panel 'salary_chart'" in p for p in unknown)
