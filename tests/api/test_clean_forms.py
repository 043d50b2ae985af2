"""Issue 11: a form opens with only its own values; other tasks' answers neither pre-fill it nor linger in
the data the next task works on (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.context import ServiceContext
from tests.api.appraisal_steps import add_officers, decide_vetoes, score_all, tasks_of
from tests.api.clean_form_steps import (
    first_candidate_failed,
    next_vetting,
    returned_then_approved,
    second_review,
)
from tests.api.recruitment_steps import complete, the_task
from tests.conftest import User
from workflows.ports import ManualClock
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

BPMN_DIR = Path(__file__).parents[2] / "bpmn"
FORMS_DIR = Path(__file__).parents[2] / "forms"


def test_funding_after_a_return_opens_clean(users: dict[str, User]) -> None:
    returned_then_approved(users)
    finance = users["finance"]
    detail = finance.get(f"/api/v1/tasks/{the_task(finance, 'finance', 'confirm_funding')['id']}")
    assert detail["form_values"] == {}
    # Party's approval carried no reason: its earlier return reason is not left behind as "the" reason.
    assert "reason" not in detail["data"]
    assert detail["data"]["plan_title"] == "2026年农村辅警招聘计划"  # the context stays


def test_second_plan_review_opens_clean(users: dict[str, User]) -> None:
    second_review(users)
    party = users["party"]
    detail = party.get(f"/api/v1/tasks/{the_task(party, 'party_affairs', 'review_plan')['id']}")
    assert detail["form_values"] == {}


def test_next_candidate_vetting_opens_clean(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    campaign_id, failed, following = first_candidate_failed(users, ctx, clock)
    detail = next_vetting(users["bureau"])
    assert detail["data"]["candidate"]["application_id"] == following
    assert detail["form_values"] == {}
    # Submitting the clean form passes the candidate the earlier finding would have rejected.
    complete(
        users["bureau"], "police_bureau", "vet_candidate", {"findings": [], "notes": "未发现不得聘用情形"}
    )
    report = users["bureau"].get(f"/api/v1/campaigns/{campaign_id}")
    status = {a["id"]: a["status"] for a in report["applications"]}
    assert status[failed] == "vetting_failed"
    assert status[following] != "vetting_failed"


def reach_grade_confirmation(users: dict[str, User], ctx: ServiceContext) -> dict[str, Any]:
    """One officer scored by station and town, not vetoed: the grade task waits."""
    add_officers(ctx, 1)
    bureau = users["bureau"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    score_all(users)
    decide_vetoes(users, set())
    (task,) = tasks_of(bureau, "police_bureau", "confirm_grade")
    return dict(bureau.get(f"/api/v1/tasks/{task['id']}"))


def test_grade_form_defaults_to_the_suggested_grade(users: dict[str, User], ctx: ServiceContext) -> None:
    detail = reach_grade_confirmation(users, ctx)
    assert detail["data"]["suggested_grade"] == "excellent"
    assert detail["form_values"] == {"grade": "excellent"}  # declared by formDefaults, nothing else


def test_a_default_for_a_field_the_form_lacks_is_refused() -> None:
    files = attach_forms(read_bundle(BPMN_DIR / "appraisal"), FORMS_DIR)
    name = "appraisal.bpmn"
    files[name] = files[name].replace("grade: suggested_grade", "grade: suggested_grade, level: x")
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(files)
    assert refused.value.english == [
        "appraisal/confirm_grade: formDefaults names 'level', not a field of its form"
    ]
    assert refused.value.problems == [
        "appraisal/confirm_grade: formDefaults 中的 'level' 不是该任务表单的字段"
        " / formDefaults names 'level', not a field of its form"
    ]
