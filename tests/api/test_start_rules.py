"""Nobody steps around the process: who may start what is part of the model (issue 10, item 5).

The service's own processes (applicant screening, post hiring, the monthly appraisal) are started by their
use cases only; ``POST /api/v1/instances`` refuses them with 403 and says where to go instead. A process
open to departments takes start data only as its start form allows. Data keys that would shadow the
script sandbox's names are refused with 422 naming the key, at the start and on a task submission, and
nothing is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, InstanceModel
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.api.recruitment_steps import the_task as task_of
from tests.conftest import User
from workflows.ports import CHINA, ManualClock
from workflows.specs import attach_forms, read_bundle

ROOT = Path(__file__).resolve().parents[2]


def instance_count(ctx: ServiceContext, process_id: str | None = None) -> int:
    with ctx.database.reading() as session:
        query = select(func.count()).select_from(InstanceModel)
        if process_id:
            query = query.where(InstanceModel.process_id == process_id)
        return int(session.scalar(query) or 0)


def start(user: User, process_id: str, data: dict[str, Any], expect: int, key: str | None = None) -> Any:
    body: dict[str, Any] = {"process_id": process_id, "data": data}
    if key:
        body["business_key"] = key
    return user.post("/api/v1/instances", body, expect=expect)


def test_an_applicant_cannot_be_screened_again_through_the_api(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    refused = bureau.post(
        f"/api/v1/campaigns/{campaign_id}/applications",
        applicant(1, "gs-v05", birth_for_age(today, 25), disqualifiers=["criminal_record"]),
        expect=201,
    )
    assert refused["status"] == "ineligible"
    screenings = instance_count(ctx, "applicant_screening")

    # The attack from the issue: made-up screening inputs for the refused applicant.
    made_up = {
        "application_id": refused["id"],
        "campaign_id": campaign_id,
        "age": 25,
        "age_relaxed": False,
        "nationality": "CN",
        "weihai_residence": True,
        "education": "bachelor",
        "healthy": True,
        "good_conduct": True,
        "meets_post_requirements": True,
        "disqualifiers": [],
    }
    for user in (bureau, users["bureau_head"]):
        body = start(user, "applicant_screening", made_up, expect=403)
        assert "资格审查随报名登记自动启动" in body["message"]
        assert "/applications" in body["message"] and "/applications" in body["message_en"]

    assert instance_count(ctx, "applicant_screening") == screenings
    with ctx.database.reading() as session:
        application = session.get(ApplicationModel, refused["id"])
        assert application is not None
        assert application.status == "ineligible" and application.reasons == refused["reasons"]


def test_a_post_outside_the_approved_plan_cannot_be_started(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    data = {
        "campaign_id": 1,
        "village_code": "gs-v01",
        "village_name": "某村",
        "town": "gushan",
        "slot": 99,
        "subject": "某村 第99岗",
    }
    body = start(users["bureau"], "post_hiring", data, expect=403, key="2026-recruitment/gs-v01/99")
    assert "岗位录用流程由招聘流程" in body["message"] and "recruitment process" in body["message_en"]
    assert instance_count(ctx, "post_hiring") == 0


def test_the_monthly_appraisal_cannot_be_started_through_the_api(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    data = {"officer_id": 1, "month": "2026-11", "town": "gushan", "subject": "某辅警 2026-11"}
    for username in ("bureau", "gushan_station_head", "gushan_gov"):
        body = start(users[username], "appraisal", data, expect=403, key=f"2026-11/1/{username}")
        assert "POST /api/v1/appraisals/months" in body["message"]
        assert "POST /api/v1/appraisals/months" in body["message_en"]
    assert instance_count(ctx, "appraisal") == 0


def test_recruitment_start_data_is_checked_against_its_start_form(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    head = users["bureau_head"]
    bad = start(head, "recruitment", {"subject": 2026, "slot": 99}, expect=422, key="r-bad")
    assert set(bad["errors"]) == {"subject", "(form)"}
    assert bad["errors"]["subject"][0] == "“招聘批次名称”的类型不正确（应为文本）"
    assert "slot" in bad["errors"]["(form)"][1]
    assert start(head, "recruitment", {"subject": ""}, expect=422, key="r-empty")["errors"]["subject"]
    # The campaign's name is required: it is what every department's task shows, never the key.
    assert set(start(head, "recruitment", {}, expect=422, key="r-plain")["errors"]) == {"subject"}
    assert instance_count(ctx) == 0

    started = start(head, "recruitment", {"subject": "2026年农村辅警招聘"}, expect=201, key="r-good")
    assert started["process_id"] == "recruitment" and started["subject"] == "2026年农村辅警招聘"
    assert started["business_key"] == "r-good" and started["started_by"] == "bureau_head"
    assert instance_count(ctx) == 1


def test_only_the_bureau_head_starts_a_recruitment_as_its_model_says(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    # recruitment.bpmn: startedBy="heads:police_bureau"; refused by names, in both languages.
    for username in ("bureau", "party", "gushan_station_head"):
        body = start(users[username], "recruitment", {"subject": "某批次"}, expect=403, key=f"r-{username}")
        assert body["message"] == "只有公安分局的负责人可以启动“招聘流程”"
        assert body["message_en"] == "Only the head of Public Security Sub-bureau may start “Recruitment”"
    assert instance_count(ctx) == 0


def test_the_service_gives_a_campaign_its_business_key(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    head = users["bureau_head"]
    year = clock.now().astimezone(CHINA).year
    names = ["第一批", "第二批", "第三批"]
    started = [start(head, "recruitment", {"subject": name}, expect=201) for name in names]
    assert [s["business_key"] for s in started] == [
        f"{year}-recruitment",
        f"{year}-recruitment-2",
        f"{year}-recruitment-3",
    ]
    # The first task shows the campaign's name, never its key.
    tasks = head.get("/api/v1/queues/police_bureau/tasks?per_page=50")["items"]
    assert sorted(t["subject"] for t in tasks if t["spec_name"] == "draft_plan") == sorted(names)
    # A key the caller gives is kept, and a taken one is refused naming it.
    start(head, "recruitment", {"subject": "另一批"}, expect=201, key="pilot")
    taken = start(head, "recruitment", {"subject": "重复"}, expect=409, key=f"{year}-recruitment")
    assert f"{year}-recruitment" in taken["message"]
    assert instance_count(ctx, "recruitment") == 4


def test_start_data_may_not_shadow_the_sandbox_names(users: dict[str, User], ctx: ServiceContext) -> None:
    head = users["bureau_head"]
    for key, value in (("_getattr_", None), ("__builtins__", {}), ("len", 3)):
        body = start(head, "recruitment", {"subject": "某批次", key: value}, expect=422, key=f"r-{key}")
        assert list(body["errors"]) == [key]
        assert key in body["message"] and key in body["message_en"]
        assert key in body["errors"][key][0] and key in body["errors"][key][1]
    assert instance_count(ctx) == 0


def test_a_task_submission_may_not_shadow_the_sandbox_names(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    task = task_of(bureau, "police_bureau", "draft_plan")
    before = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]
    draft = {"plan_title": "2026年招聘计划", "monthly_salary": 4200}
    for key, value in (("_getattr_", None), ("__builtins__", {})):
        submitted = {"data": {**draft, key: value}}
        body = bureau.post(f"/api/v1/tasks/{task['id']}/complete", submitted, expect=422)
        assert list(body["errors"]) == [key] and key in body["message"]

    # Nothing was saved: the task is still open, the data as it was, no other instance started.
    assert bureau.get(f"/api/v1/tasks/{task['id']}")["state"] in ("open", "claimed")
    assert bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"] == before
    assert instance_count(ctx) == 1
    bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": draft})


def test_deploy_refuses_a_process_that_does_not_declare_how_it_starts(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")
    original = files["post_hiring.bpmn"]
    declaration = '<spiffworkflow:property name="startedBy" value="usecase:start_post_hiring" />'
    assert declaration in original
    files["post_hiring.bpmn"] = original.replace(declaration, "")
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    assert [p for p in body["errors"]["problems"] if "post_hiring" in p] == [
        "post_hiring: 流程未声明如何启动：请在开始事件上写 startedBy（usecase:<用例>、"
        "departments:<部门代码>,... 或 heads:<部门代码>,... 并指定启动表单，或 callActivity）"
        " / the process does not declare how it is started (startedBy on its start event: "
        "usecase:<name>, departments:<code>,... or heads:<code>,... with a start form, or callActivity)"
    ]
    # A model may not name a use case the service does not have either.
    files["post_hiring.bpmn"] = original.replace("usecase:start_post_hiring", "usecase:anyone")
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    assert any("unknown use case 'anyone'" in p for p in body["errors"]["problems"]), body
