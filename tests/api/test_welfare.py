"""Work injury and death on duty over HTTP (issue 17, points 4-5).

The officer's station reports; science_tech's head recognises the injury (or not) with grounds; the service
company enters the benefits and finance, not the one who entered them, confirms or returns them; the officer's
duty status and the outcome are on the officer's record. A death: the sub-bureau's head confirms the facts,
the officer leaves service (the post is a vacancy), social_work's head evaluates martyr status and records
the family's benefits, finance confirms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, OfficerModel
from service.usecases.recruitment.plan import officers_in_service
from tests.api.appraisal_steps import add_officers, tasks_of
from tests.api.recruitment_steps import attach
from tests.api.test_identity import new_user
from tests.conftest import User

STATION = "police_station:gushan"
INJURY = {
    "injury_date": "2026-11-20",
    "injury_place": "崮山镇一村村委会",
    "circumstances": "调解邻里纠纷时被当事人推倒",
    "injury": "右前臂骨折，住院治疗",
}
DEATH = {
    "death_date": "2026-11-21",
    "death_place": "一村河道",
    "death_circumstances": "汛期巡查时救助落水群众",
}


def officers(ctx: ServiceContext, count: int) -> list[int]:
    add_officers(ctx, count)
    with ctx.database.reading() as session:
        return list(session.scalars(select(OfficerModel.id).order_by(OfficerModel.id)))


def task_of(user: User, department: str, spec_name: str, instance_id: int) -> dict[str, Any]:
    [task] = [t for t in tasks_of(user, department, spec_name) if t["instance_id"] == instance_id]
    return task


def complete(
    user: User, department: str, spec: str, instance_id: int, data: dict[str, Any], expect: int = 200
) -> Any:
    task = task_of(user, department, spec, instance_id)
    return user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data}, expect=expect)


def panels(user: User, department: str, spec: str, instance_id: int) -> dict[str, dict[str, str]]:
    """The grounds panels of the task, as label -> value (Chinese)."""
    detail = user.get(f"/api/v1/tasks/{task_of(user, department, spec, instance_id)['id']}")
    return {p["name"]: {f["label_zh"]: f["value_zh"] for f in p["fields"]} for p in detail["grounds"]}


def events(ctx: ServiceContext, action: str, instance_id: int) -> list[AuditEventModel]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(AuditEventModel).where(
                    AuditEventModel.action == action, AuditEventModel.instance_id == instance_id
                )
            )
        )


def report_injury(users: dict[str, User], officer: int, injury: dict[str, Any] = INJURY) -> int:
    started = users["gushan_station"].post(
        f"/api/v1/officers/{officer}/work-injuries", {"data": injury}, expect=201
    )
    return int(started["id"])


def submit_claim(users: dict[str, User], instance_id: int) -> None:
    station = users["gushan_station"]
    claim = task_of(station, STATION, "submit_injury_materials", instance_id)
    refused = station.post(
        f"/api/v1/tasks/{claim['id']}/complete", {"data": {"hospital": "区人民医院"}}, expect=422
    )
    assert "病历及诊断证明" in refused["message"]
    attach(station, claim["id"], name="病历.pdf")
    station.post(f"/api/v1/tasks/{claim['id']}/complete", {"data": {"hospital": "区人民医院"}})


def test_an_injury_recognised_is_paid_after_finance_confirms_and_one_not_recognised_is_not(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    injured, other = officers(ctx, 2)
    # Only the officer's own town's station reports, with the report's fields.
    users["boyu_station"].post(f"/api/v1/officers/{injured}/work-injuries", {"data": INJURY}, expect=404)
    missing = users["gushan_station"].post(
        f"/api/v1/officers/{injured}/work-injuries", {"data": {"injury_date": "2026-11-20"}}, expect=422
    )
    assert "受伤经过" in missing["message"]
    future = {**INJURY, "injury_date": "2026-12-01"}  # the clock's today is 2026-11-26
    late = users["gushan_station"].post(
        f"/api/v1/officers/{injured}/work-injuries", {"data": future}, expect=422
    )
    assert "injury_date" in late["errors"]
    refused = users["gushan_station"].post(
        "/api/v1/instances", {"process_id": "work_injury", "data": INJURY}, expect=403
    )
    assert "报告因公受伤" in refused["message"]
    instance = report_injury(users, injured)
    [entry] = users["bureau"].get(f"/api/v1/officers/{injured}")["work_injuries"]
    assert entry["status_label"] == "工伤休假" and entry["status_since"] == "2026-11-20"
    assert entry["outcome_label"] == "认定中" and entry["injury"] == INJURY["injury"]
    claim = task_of(users["gushan_station"], STATION, "submit_injury_materials", instance)
    # The subject says what happened, not a bare date.
    assert claim["subject"].endswith("（崮山后村）因公受伤 2026-11-20"), claim["subject"]
    submit_claim(users, instance)

    science = users["science_tech"]
    shown = panels(science, "science_tech", "recognise_injury", instance)
    assert shown["injury_report"]["受伤经过"] == INJURY["circumstances"]
    assert shown["injury_report"]["报告人"] == "崮山派出所 刘警官"
    assert shown["injury_claim"]["就诊医院"] == "区人民医院"
    half = {"recognised": True, "recognition_grounds": "执行职务时受到暴力伤害"}
    assert (
        "disability_grade"
        in complete(science, "science_tech", "recognise_injury", instance, half, 422)["errors"]
    )
    complete(science, "science_tech", "recognise_injury", instance, {**half, "disability_grade": "grade_9"})
    [entry] = users["bureau"].get(f"/api/v1/officers/{injured}")["work_injuries"]
    assert entry["outcome_label"] == "认定为工伤" and entry["total_amount"] is None  # on the record at once

    # The service company enters the amounts; whoever entered them may not confirm them, even in finance.
    both = new_user(users, "company_finance", ["service_company", "finance"])
    amounts = {"medical_expenses": 12000, "wages_during_leave": 9000, "disability_allowance": 27000}
    shown = panels(both, "service_company", "enter_injury_payments", instance)
    assert shown["injury_recognition"]["伤残等级"] == "九级伤残"
    assert shown["injury_recognition"]["认定依据（理由）"] == "执行职务时受到暴力伤害"
    complete(
        both, "service_company", "enter_injury_payments", instance, {**amounts, "medical_expenses": 21000}
    )
    refused = complete(
        both, "finance", "confirm_injury_funding", instance, {"funding_decision": "approve"}, 403
    )
    assert "职责分离" in refused["message"]
    finance = users["finance"]
    assert (
        panels(finance, "finance", "confirm_injury_funding", instance)["injury_payments"]["医疗费用"]
        == "21,000 元"
    )
    returned = {"funding_decision": "return", "funding_reason": "医疗费与票据不符"}
    complete(finance, "finance", "confirm_injury_funding", instance, returned)
    complete(users["company"], "service_company", "enter_injury_payments", instance, amounts)
    complete(finance, "finance", "confirm_injury_funding", instance, {"funding_decision": "approve"})

    complete(
        users["gushan_station"], STATION, "record_return_to_work", instance, {"return_date": "2027-01-10"}
    )
    assert users["gushan_station"].get(f"/api/v1/instances/{instance}")["status"] == "completed"
    [entry] = users["bureau"].get(f"/api/v1/officers/{injured}")["work_injuries"]
    assert entry["status_label"] == "已复岗" and entry["status_since"] == "2027-01-10"
    assert entry["outcome_label"] == "认定为工伤" and entry["grade_label"] == "九级伤残"
    assert entry["grounds"] == "执行职务时受到暴力伤害" and entry["total_amount"] == 48000
    [recognition] = events(ctx, "work_injury_recorded", instance)
    assert recognition.actor == "science_tech" and recognition.payload["disability_grade"] == "grade_9"
    [benefits] = events(ctx, "work_injury_benefits_recorded", instance)
    assert benefits.actor == "finance" and benefits.payload["amounts"] == amounts
    assert [e.payload["status"] for e in events(ctx, "duty_status_recorded", instance)] == [
        "injury_leave",
        "back_at_work",
    ]

    # Not recognised: no payments at all; the station records the return; the grounds are on the record.
    second = report_injury(users, other, {**INJURY, "injury_date": "2026-11-22"})
    submit_claim(users, second)
    reasons = {"recognised": False, "recognition_grounds": "受伤时在休假，非执行职务"}
    complete(science, "science_tech", "recognise_injury", second, reasons)
    assert not [
        t
        for t in tasks_of(users["company"], "service_company", "enter_injury_payments")
        if t["instance_id"] == second
    ]
    complete(users["gushan_station"], STATION, "record_return_to_work", second, {"return_date": "2026-12-01"})
    [entry] = users["bureau"].get(f"/api/v1/officers/{other}")["work_injuries"]
    assert entry["outcome_label"] == "不予认定" and entry["grounds"] == "受伤时在休假，非执行职务"
    assert entry["amounts"] == {} and entry["total_amount"] is None


def test_a_death_on_duty_frees_the_post_and_records_the_martyr_evaluation_and_the_family_benefits(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    [officer] = officers(ctx, 1)
    started = users["gushan_station"].post(f"/api/v1/officers/{officer}/deaths", {"data": DEATH}, expect=201)
    instance = int(started["id"])
    facts = {"died_on_duty": True, "facts_finding": "经核实，系救助落水群众时牺牲", "recommend_martyr": True}
    # The facts are confirmed by a head of the sub-bureau.
    confirm = task_of(users["bureau_head"], "police_bureau", "confirm_death_facts", instance)
    users["bureau"].post(f"/api/v1/tasks/{confirm['id']}/complete", {"data": facts}, expect=403)
    shown = panels(users["bureau_head"], "police_bureau", "confirm_death_facts", instance)
    assert shown["death_report"]["经过"] == DEATH["death_circumstances"]
    complete(users["bureau_head"], "police_bureau", "confirm_death_facts", instance, facts)

    # Out of service from the day of death: the post is a vacancy for the next campaign.
    record = users["bureau"].get(f"/api/v1/officers/{officer}")
    assert record["status"] == "died_on_duty" and record["status_label"] == "牺牲"
    assert record["left_on"] == "2026-11-21" and record["death_on_duty"]["outcome_label"] == "办理中"
    with ctx.database.reading() as session:
        assert officer not in officers_in_service(session).get("gs-v01", [])
    listed = users["bureau"].get("/api/v1/officers?status=died_on_duty")["items"]
    assert [o["id"] for o in listed] == [officer]
    users["gushan_station"].post(f"/api/v1/officers/{officer}/work-injuries", {"data": INJURY}, expect=409)

    social = users["social_work"]
    assert (
        panels(social, "social_work", "evaluate_martyr", instance)["death_facts"]["核实情况"]
        == facts["facts_finding"]
    )
    evaluation = {"martyr": True, "evaluation_grounds": "为抢救群众生命牺牲，符合烈士评定条件"}
    complete(social, "social_work", "evaluate_martyr", instance, evaluation)
    benefits = {
        "beneficiary_name": "李梅",
        "relationship": "spouse",
        "one_time_pension": 800000,
        "funeral_grant": 20000,
        "monthly_pension": 2500,
    }
    complete(social, "social_work", "record_family_benefits", instance, benefits)
    shown = panels(users["finance"], "finance", "confirm_family_funding", instance)
    assert (
        shown["family_benefits"]["与辅警关系"] == "配偶" and shown["martyr_evaluation"]["评定为烈士"] == "是"
    )
    complete(users["finance"], "finance", "confirm_family_funding", instance, {"funding_decision": "approve"})

    death = users["bureau"].get(f"/api/v1/officers/{officer}")["death_on_duty"]
    assert death["outcome_label"] == "评定为烈士" and death["grounds"] == evaluation["evaluation_grounds"]
    assert death["beneficiary_name"] == "李梅" and death["relationship_label"] == "配偶"
    assert death["amounts"] == {"one_time_pension": 800000, "funeral_grant": 20000, "monthly_pension": 2500}
    [changed] = events(ctx, "officer_status_changed", instance)
    assert changed.actor == "bureau_head" and changed.payload["after"]["status"] == "died_on_duty"
    [recorded] = events(ctx, "death_on_duty_recorded", instance)
    assert recorded.payload["outcome"] == "martyr" and recorded.payload["facts"] == facts["facts_finding"]
