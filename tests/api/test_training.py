"""Training and the confidentiality undertaking over HTTP (issue 17, point 6): the sub-bureau plans a training
for a cohort (one town), each officer's attendance and result is recorded in one table and lands on the
officer's record; an undertaking cannot be registered without the signed file, and an officer without one is
on the sub-bureau's list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel, OfficerModel
from tests.api.appraisal_steps import add_officers, tasks_of
from tests.api.recruitment_steps import attach
from tests.conftest import User

SCORE = "结业考试92分"
PLAN = {
    "title": "2026年农村辅警岗前培训",
    "start_date": "2026-12-01",
    "end_date": "2026-12-03",
    "place": "公安分局三楼会议室",
    "content": "法律法规、群众工作方法、保密纪律",
    "cohort_town": "gushan",
}


def two_gushan_officers_and_one_in_boyu(ctx: ServiceContext) -> tuple[int, int, int]:
    add_officers(ctx, 2)
    with ctx.database.transaction() as session:
        first, second = session.scalars(select(OfficerModel.id).order_by(OfficerModel.id))
        boyu = session.scalar(
            insert(OfficerModel)
            .values(
                name="泊于辅警",
                village_code="by-v01",
                town="boyu",
                role="director_assistant",
                party_member=False,
                contract_number="T-BY-1",
                contract_start=ctx.clock.now().date(),
                contract_end=ctx.clock.now().date().replace(year=2029),
                status="in_service",
                hired_at=ctx.clock.now(),
            )
            .returning(OfficerModel.id)
        )
    assert boyu is not None
    return first, second, boyu


BULK = "/api/v1/queues/police_bureau/steps/record_training_result"


def task_of_instance(user: User, spec_name: str, instance_id: int) -> dict[str, Any]:
    [task] = [t for t in tasks_of(user, "police_bureau", spec_name) if t["instance_id"] == instance_id]
    return task


def start_undertaking(user: User, officer_id: int, expect: int = 201) -> Any:
    body = {"process_id": "confidentiality_undertaking", "data": {"officer_id": officer_id}}
    return user.post("/api/v1/instances", body, expect=expect)


def start_training(user: User, data: dict[str, Any], expect: int = 201) -> Any:
    return user.post("/api/v1/instances", {"process_id": "training", "data": data}, expect=expect)


def test_a_training_enrols_its_cohort_and_each_result_reaches_the_officers_record(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second, boyu = two_gushan_officers_and_one_in_boyu(ctx)
    bureau = users["bureau"]
    # Only the sub-bureau plans training (startedBy on the model), and a plan that ends before it starts, or
    # whose cohort is empty, is refused with the reason.
    refused = start_training(users["gushan_station"], PLAN, expect=403)
    assert "公安分局" in refused["message"]
    backwards = start_training(bureau, {**PLAN, "end_date": "2026-11-30"}, expect=422)
    assert "早于开始日期" in backwards["message"]
    nobody = start_training(bureau, {**PLAN, "hired_since": "2030-01-01"}, expect=422)
    assert "没有在岗辅警" in nobody["message"]

    plan = start_training(bureau, PLAN)
    # A head approves it, not its planner (though a head too); the approval shows the plan and its cohort.
    head = users["bureau_head"]
    own = start_training(head, PLAN)
    mine = task_of_instance(head, "approve_training_plan", own["id"])
    refused = head.post(f"/api/v1/tasks/{mine['id']}/complete", {"data": {"approve": True}}, expect=403)
    assert "职责分离" in refused["message"]
    approval = task_of_instance(head, "approve_training_plan", plan["id"])
    [panel] = head.get(f"/api/v1/tasks/{approval['id']}")["grounds"]
    values = {f["label_zh"]: f["value_zh"] for f in panel["fields"]}
    assert values["参训范围"] == "崮山镇在岗辅警" and values["制定人"] == "公安分局 王警官"
    head.post(f"/api/v1/tasks/{approval['id']}/complete", {"data": {"approve": True}})
    assert bureau.get(f"/api/v1/instances/{plan['id']}")["status"] == "completed"
    # One record per Gushan officer, none for Boyu's; done in one table, due a week after the training.
    table = bureau.get(f"{BULK}/bulk")
    rows = {row["officer_id"]: row for row in table["rows"]}
    assert set(rows) == {first, second}
    assert [c["field"] for c in table["columns"]] == ["attended", "result", "remarks"]
    task = task_of_instance(bureau, "record_training_result", rows[first]["instance_id"])
    assert task["due_at"].startswith("2026-12-10T16:00")  # end of 10 December, China time
    detail = bureau.get(f"/api/v1/tasks/{task['id']}")
    [panel] = detail["grounds"]
    values = {f["label_zh"]: f["value_zh"] for f in panel["fields"]}
    assert values["培训名称"] == PLAN["title"] and values["培训地点"] == PLAN["place"]

    # Absent but marked passed is refused on its row; the other row is recorded.
    items = [
        {"task_id": rows[first]["task_id"], "data": {"attended": True, "result": "passed", "remarks": SCORE}},
        {"task_id": rows[second]["task_id"], "data": {"attended": False, "result": "passed"}},
    ]
    outcome = bureau.post(f"{BULK}/bulk-complete", {"items": items})
    assert [r["result"] for r in outcome["results"]] == ["completed", "refused"]
    assert "result" in outcome["results"][1]["errors"]
    absent = {"attended": False, "result": "absent", "remarks": "病假"}
    bureau.post(f"{BULK}/bulk-complete", {"items": [{"task_id": rows[second]["task_id"], "data": absent}]})

    [passed] = bureau.get(f"/api/v1/officers/{first}")["training"]
    assert (passed["title"], passed["result_label"], passed["attended"]) == (PLAN["title"], "合格", True)
    assert passed["start_date"] == "2026-12-01" and passed["remarks"] == SCORE
    [absent] = bureau.get(f"/api/v1/officers/{second}")["training"]
    assert (absent["result"], absent["result_label_en"]) == ("absent", "Absent")
    assert bureau.get(f"/api/v1/officers/{boyu}")["training"] == []
    with ctx.database.reading() as session:
        events = session.scalars(select(AuditEventModel).where(AuditEventModel.action == "training_recorded"))
        recorded = sorted((e.payload["officer_id"], e.actor) for e in events)
    assert recorded == [(first, "bureau"), (second, "bureau")]
    # Nobody opens a training record by hand.
    refused = bureau.post("/api/v1/instances", {"process_id": "training_attendance", "data": {}}, expect=403)
    assert "培训计划" in refused["message"]


def test_an_undertaking_needs_the_signed_file_and_officers_without_one_are_listed(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second, boyu = two_gushan_officers_and_one_in_boyu(ctx)
    bureau = users["bureau"]
    missing = bureau.get("/api/v1/undertakings/missing")
    assert {m["officer_id"] for m in missing} == {first, second, boyu}
    users["gushan_station"].get("/api/v1/undertakings/missing", expect=403)

    started = start_undertaking(bureau, first)
    [task] = tasks_of(bureau, "police_bureau", "register_undertaking")
    listed = {m["officer_id"]: m for m in bureau.get("/api/v1/undertakings/missing")}
    assert listed[first]["registration_instance_id"] == started["id"]
    # Without the signed undertaking the task cannot be completed; the refusal names the file.
    signed = {"data": {"signed_on": "2026-11-20"}}
    refused = bureau.post(f"/api/v1/tasks/{task['id']}/complete", signed, expect=422)
    assert "签字的保密承诺书" in refused["message"]
    attach(bureau, task["id"], name="保密承诺书-签字.pdf")
    bureau.post(f"/api/v1/tasks/{task['id']}/complete", signed)

    undertaking = bureau.get(f"/api/v1/officers/{first}")["undertaking"]
    assert undertaking["signed_on"] == "2026-11-20" and undertaking["recorded_by"] == "bureau"
    assert bureau.get(f"/api/v1/officers/{second}")["undertaking"] is None
    assert {m["officer_id"] for m in bureau.get("/api/v1/undertakings/missing")} == {second, boyu}
    # An officer not in service (or unknown) has no undertaking to register.
    unknown = start_undertaking(bureau, 9999, expect=422)
    assert "9999" in unknown["message"]
    with ctx.database.reading() as session:
        instance = session.get(InstanceModel, started["id"])
        assert instance is not None and instance.status == "completed"
