"""Rewards over HTTP (issue 17, point 2): the appraisal's reward proposal goes to the town government (which
may veto) and a head of the sub-bureau, who is not the proposer; the decision is recorded on the officer.
A veto of the officer in the model's period refuses the reward without a task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, AuditEventModel, InstanceModel, OfficerModel
from tests.api.appraisal_steps import add_history, add_officers, officer_of, tasks_of
from tests.api.test_identity import new_user
from tests.api.test_segregation import score_and_confirm, start_month, the_consequence
from tests.conftest import User

TOWN_GOV = "town_gov:gushan"
REASONS = "连续三个月考核优秀，调解纠纷成效突出"


def propose(users: dict[str, User], ctx: ServiceContext, proposer: str = "bureau_head") -> tuple[int, int]:
    """Two Gushan officers excellent in September and October, the second vetoed in October: run November
    to their reward proposals and make both as ``proposer``. Two officers keep the month short."""
    add_officers(ctx, 2)
    with ctx.database.reading() as session:
        first, second = session.scalars(select(OfficerModel.id).order_by(OfficerModel.id))
    add_history(ctx, [(o, m, "excellent") for o in (first, second) for m in ("2026-09", "2026-10")])
    with ctx.database.transaction() as session:
        session.execute(
            update(AppraisalRecordModel)
            .where(AppraisalRecordModel.officer_id == second, AppraisalRecordModel.month == "2026-10")
            .values(veto=True, veto_reason="辖区发生严重违纪")
        )
    start_month(users)
    score_and_confirm(users, -1)
    making = users[proposer]
    for officer in (first, second):
        proposal = the_consequence(making, "reward_proposal", officer)
        data = {"proposal": "commend", "reason": REASONS}
        making.post(f"/api/v1/tasks/{proposal['id']}/complete", {"data": data})
    return first, second


def reward_task(user: User, department: str, spec_name: str, officer: int) -> dict[str, Any]:
    [task] = [t for t in tasks_of(user, department, spec_name) if officer_of(user, t) == officer]
    return task


def recorded(ctx: ServiceContext, instance_id: int) -> list[AuditEventModel]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(AuditEventModel).where(
                    AuditEventModel.action == "reward_recorded", AuditEventModel.instance_id == instance_id
                )
            )
        )


def reward_instance(ctx: ServiceContext, officer: int) -> InstanceModel:
    with ctx.database.reading() as session:
        return session.scalars(
            select(InstanceModel).where(
                InstanceModel.process_id == "reward_decision",
                InstanceModel.business_key == f"{officer}/2026-11",
            )
        ).one()


def test_a_proposal_is_decided_by_another_head_and_recorded_and_a_vetoed_one_refused(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    strong, vetoed = propose(users, ctx)
    instance = reward_instance(ctx, strong)
    assert instance.status == "running"

    # Vetoed by the town in October, within the model's three months: refused at once, no task anywhere.
    assert reward_instance(ctx, vetoed).status == "completed"
    assert [
        officer_of(users["gushan_gov"], t) for t in tasks_of(users["gushan_gov"], TOWN_GOV, "town_opinion")
    ] == [strong]
    [event] = recorded(ctx, reward_instance(ctx, vetoed).id)
    assert event.payload["outcome"] == "refused" and event.payload["kind"] is None
    assert "2026-10" in event.payload["grounds"] and "一票否决" in event.payload["grounds"]
    [reward] = users["bureau"].get(f"/api/v1/officers/{vetoed}")["rewards"]
    assert reward["outcome_label"] == "不予奖励" and reward["proposal_label"] == "通报表扬"
    assert reward["grounds_en"].startswith("Vetoed by the town government in the period 2026-09 to 2026-11")

    # The town government sees the proposal and the appraisal history, and does not veto.
    town = users["gushan_gov"]
    opinion = reward_task(town, TOWN_GOV, "town_opinion", strong)
    detail = town.get(f"/api/v1/tasks/{opinion['id']}")
    panels = {p["name"]: p for p in detail["grounds"]}
    assert set(panels) == {"reward_proposal", "appraisal_history"}
    values = {f["label_zh"]: f["value_zh"] for f in panels["reward_proposal"]["fields"]}
    assert values["提名理由"] == REASONS and values["奖励建议"] == "通报表扬"
    assert values["提名人"] == "公安分局 局长" and values["本期一票否决"] == "2026-09 – 2026-11：无"
    assert [row[1]["value_zh"] for row in panels["appraisal_history"]["rows"][:3]] == ["优秀"] * 3
    assert detail["due_at"]  # dueInDays on the model
    town.post(
        f"/api/v1/tasks/{opinion['id']}/complete", {"data": {"town_veto": False, "town_remarks": "同意"}}
    )

    # The proposer, though a head, may not decide; a head who did not propose decides.
    head = users["bureau_head"]
    decision = reward_task(head, "police_bureau", "decide_reward", strong)
    data = {"approve": True, "reward_kind": "bonus", "decision_reason": "同意给予奖励性绩效"}
    refused = head.post(f"/api/v1/tasks/{decision['id']}/complete", {"data": data}, expect=403)
    assert "职责分离" in refused["message"] and "公安分局奖励决定" in refused["message"]
    assert refused["message_en"].startswith("Separation of duties")
    head.post(f"/api/v1/tasks/{decision['id']}/claim", expect=403)
    # Nor may it be handed to them, nor be decided by staff who are not heads.
    users["bureau"].post(f"/api/v1/tasks/{decision['id']}/claim", expect=403)
    deputy = new_user(users, "bureau_deputy", ["police_bureau"], heads_of=["police_bureau"])
    half = {"approve": True, "decision_reason": "同意"}  # approving names the kind
    assert (
        "reward_kind"
        in deputy.post(f"/api/v1/tasks/{decision['id']}/complete", {"data": half}, expect=422)["errors"]
    )
    deputy.post(f"/api/v1/tasks/{decision['id']}/complete", {"data": data})

    [event] = recorded(ctx, instance.id)
    assert event.actor == "bureau_deputy" and event.instance_id == instance.id
    assert event.payload["outcome"] == "granted" and event.payload["kind"] == "bonus"
    assert event.payload["grounds"] == "同意给予奖励性绩效" and event.payload["proposed_by"] == "bureau_head"
    [reward] = users["bureau"].get(f"/api/v1/officers/{strong}")["rewards"]
    assert reward["outcome"] == "granted" and reward["kind_label"] == "奖励性绩效"
    assert reward["month"] == "2026-11" and reward["grounds"] == "同意给予奖励性绩效"
    assert reward["decided_on"] and reward["decided_by"] == "bureau_deputy"
    assert users["bureau"].get(f"/api/v1/instances/{instance.id}")["status"] == "completed"
    # Nobody starts it by hand.
    refused = head.post("/api/v1/instances", {"process_id": "reward_decision", "data": {}}, expect=403)
    assert "奖励提名" in refused["message"]
