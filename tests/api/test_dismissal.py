"""Dismissal (清退) and re-hiring over HTTP (issue 17, point 1): a case opened by the appraisal's dismissal
review, by the sub-bureau for a disqualifier found later and by a police station for a serious breach; the
review, the town's opinion, a head's decision (never the referrer's nor the reviewer's), the notice, the
contract's end, the officer dismissed and the post vacant; a former officer dismissed for a disqualifier is
refused by the next campaign's screening, one dismissed for two incompetent grades is not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import (
    ApplicationModel,
    AuditEventModel,
    CampaignModel,
    InstanceModel,
    OfficerModel,
)
from service.usecases.recruitment.plan import officers_in_service
from service.usecases.recruitment.reasons import reason_en
from tests.api.appraisal_steps import add_history, officer_of, tasks_of
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.api.test_identity import new_user
from tests.api.test_segregation import score_and_confirm, start_month, the_consequence
from tests.conftest import User

TOWN_GOV = "town_gov:gushan"
STATION = "police_station:gushan"


def open_campaign(users: dict[str, User], ctx: ServiceContext) -> int:
    """This year's campaign, open for applications (every post vacant: no officer is in service yet)."""
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, ctx.clock.now().date())
    return int(bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"])


def former_officers(ctx: ServiceContext, villages: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """Officers hired by an earlier campaign (2024), one per village, each linked to the application it
    was hired from (the person's identity document is the application's): (officer id, applicant)."""
    today = ctx.clock.now().date()
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        recruitment = session.scalars(
            select(InstanceModel).where(InstanceModel.process_id == "recruitment")
        ).one()
        earlier = InstanceModel(
            definition_id=recruitment.definition_id,
            process_id="recruitment",
            business_key="2024-recruitment",
            status="completed",
            subject="2024年农村辅警招聘",
            state={},
            serializer_version=recruitment.serializer_version,
            started_by="bureau_head",
            created_at=now,
            updated_at=now,
        )
        session.add(earlier)
        session.flush()
        campaign = CampaignModel(
            instance_id=earlier.id,
            business_key="2024-recruitment",
            title="2024年农村辅警招聘",
            status="closed",
            plan={},
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        hired = []
        for n, village in enumerate(villages, start=101):
            person = applicant(n, village, birth_for_age(today, 27))
            application = ApplicationModel(
                campaign_id=campaign.id,
                village_code=village,
                name=person["name"],
                id_number=person["id_number"],
                birth_date=date.fromisoformat(person["birth_date"]),
                applicant=person,
                status="hired",
                reasons=[],
                applied_at=now,
            )
            session.add(application)
            session.flush()
            officer = OfficerModel(
                application_id=application.id,
                name=person["name"],
                village_code=village,
                town="gushan",
                role="director_assistant",
                party_member=False,
                contract_number=f"WH-FJ-2024-{n}",
                contract_start=date(2024, 9, 1),
                contract_end=date(2027, 8, 31),
                status="in_service",
                hiring_instance_id=None,
                hired_at=now,
            )
            session.add(officer)
            session.flush()
            hired.append((officer.id, person))
        return hired


def the_task(user: User, department: str, spec_name: str, officer: int) -> dict[str, Any]:
    [task] = [t for t in tasks_of(user, department, spec_name) if officer_of(user, t) == officer]
    return task


def complete(user: User, task: dict[str, Any], data: dict[str, Any], expect: int = 200) -> Any:
    return user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data}, expect=expect)


def serve_and_end(users: dict[str, User], officer: int, ended_on: date) -> None:
    """The station serves the notice, the service company ends the contract."""
    station = users["gushan_station"]
    notice = the_task(station, STATION, "notify_officer", officer)
    complete(station, notice, {"notified_on": ended_on.isoformat(), "notice_method": "in_person"})
    company = users["company"]
    ending = the_task(company, "service_company", "end_contract", officer)
    grounds = {p["name"] for p in company.get(f"/api/v1/tasks/{ending['id']}")["grounds"]}
    assert {"dismissal_case", "dismissal_opinions"} <= grounds
    complete(company, ending, {"contract_ended_on": ended_on.isoformat()})


def reapply(bureau: User, campaign_id: int, person: dict[str, Any]) -> dict[str, Any]:
    body = {**person, "village_code": "gs-v09"}
    return bureau.post(f"/api/v1/campaigns/{campaign_id}/applications", body, expect=201)  # type: ignore[no-any-return]


def test_the_appraisals_case_dismisses_and_the_former_officer_may_apply_again(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    campaign_id = open_campaign(users, ctx)
    [(weak, person), (_other, _)] = former_officers(ctx, ["gs-v01", "gs-v02"])
    add_history(ctx, [(weak, "2026-06", "incompetent")])
    start_month(users)
    score_and_confirm(users, weak)
    head = users["bureau_head"]
    review = the_consequence(head, "dismissal_review", weak)
    complete(head, review, {"decision": "dismiss", "reason": "两次考核不称职，经教育仍无改进"})

    # The appraisal's review is the case's review: the town gives its opinion next, on the appraisals.
    town = users["gushan_gov"]
    opinion = the_task(town, TOWN_GOV, "town_opinion", weak)
    panels = {p["name"]: p for p in town.get(f"/api/v1/tasks/{opinion['id']}")["grounds"]}
    case = {f["label_zh"]: f["value_zh"] for f in panels["dismissal_case"]["fields"]}
    assert case["清退事由"] == "12个月内两次考核不称职" and "两次考核不称职" in case["事实经过"]
    assert [row[1]["value_zh"] for row in panels["appraisal_history"]["rows"]][:1] == ["不称职"]
    complete(town, opinion, {"town_agrees": False, "town_opinion": "建议再给一次机会"})

    # The town disagreeing is grounds, not a veto; the head who reviewed it may not decide, another does.
    decision = the_task(head, "police_bureau", "decide_dismissal", weak)
    data = {"dismiss": True, "decision_reason": "两次不称职，依管理办法清退"}
    refused = complete(head, decision, data, expect=403)
    assert "职责分离" in refused["message"] and "公安分局清退决定" in refused["message"]
    deputy = new_user(users, "bureau_deputy", ["police_bureau"], heads_of=["police_bureau"])
    opinions = {p["name"]: p for p in deputy.get(f"/api/v1/tasks/{decision['id']}")["grounds"]}
    said = {f["label_zh"]: f["value_zh"] for f in opinions["dismissal_opinions"]["fields"]}
    assert said["镇政府同意清退"] == "否" and said["镇政府意见"] == "建议再给一次机会"
    complete(deputy, decision, data)
    serve_and_end(users, weak, ctx.clock.now().date())

    shown = users["bureau"].get(f"/api/v1/officers/{weak}")
    assert shown["status"] == "dismissed"
    [dismissal] = shown["dismissals"]
    assert dismissal["outcome"] == "dismissed" and dismissal["category"] == "incompetent"
    assert dismissal["rehire_barred"] is False and dismissal["grounds"] == "两次不称职，依管理办法清退"
    with ctx.database.reading() as session:
        assert weak not in officers_in_service(session).get("gs-v01", [])  # the post is vacant

    # Two incompetent grades do not bar re-hiring: the next campaign screens the application as any other.
    again = reapply(users["bureau"], campaign_id, person)
    assert again["status"] == "eligible", again


def test_a_disqualifier_dismissal_bars_re_hiring_and_a_stations_breach_report_is_reviewed(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    campaign_id = open_campaign(users, ctx)
    [(found, person), (breach, _)] = former_officers(ctx, ["gs-v01", "gs-v02"])
    head, bureau = users["bureau_head"], users["bureau"]

    # (b) The sub-bureau's head refers a disqualifier found later, picked from the policy's twelve.
    report = {
        "officer_id": found,
        "category": "disqualifier",
        "disqualifier": "criminal_record",
        "facts": "核查发现其曾受刑事处罚，招聘时隐瞒",
        "found_on": "2026-11-20",
    }
    half = {**report, "disqualifier": None}
    head.post("/api/v1/instances", {"process_id": "dismissal", "data": half}, expect=422)
    started = head.post("/api/v1/instances", {"process_id": "dismissal", "data": report}, expect=201)
    assert started["subject"].startswith(person["name"])
    again = head.post("/api/v1/instances", {"process_id": "dismissal", "data": report}, expect=422)
    assert "已有办理中的清退案件" in again["message"]

    # The referrer does not review it; the reviewer does not decide it, nor the referrer.
    review = the_task(bureau, "police_bureau", "bureau_review", found)
    proposal = {"propose": True, "review_opinion": "事实清楚，属不得聘用情形"}
    assert "职责分离" in complete(head, review, proposal, expect=403)["message"]
    reviewer = new_user(users, "bureau_deputy", ["police_bureau"], heads_of=["police_bureau"])
    complete(reviewer, review, proposal)
    town = users["gushan_gov"]
    complete(
        town, the_task(town, TOWN_GOV, "town_opinion", found), {"town_agrees": True, "town_opinion": "同意"}
    )
    decision = the_task(head, "police_bureau", "decide_dismissal", found)
    data = {"dismiss": True, "decision_reason": "隐瞒刑事处罚，依规清退"}
    assert "职责分离" in complete(reviewer, decision, data, expect=403)["message"]
    assert "职责分离" in complete(head, decision, data, expect=403)["message"]
    complete(bureau, decision, data, expect=403)  # not a head
    other_head = new_user(users, "bureau_head2", ["police_bureau"], heads_of=["police_bureau"])
    complete(other_head, decision, data)
    serve_and_end(users, found, ctx.clock.now().date() - timedelta(days=1))

    [dismissal] = bureau.get(f"/api/v1/officers/{found}")["dismissals"]
    assert dismissal["rehire_barred"] is True
    assert dismissal["category_label"] == "发现不得聘用情形：受过刑事处罚或涉嫌违法犯罪尚未查清"
    with ctx.database.reading() as session:
        [event] = session.scalars(
            select(AuditEventModel).where(AuditEventModel.action == "dismissal_recorded")
        ).all()
        assert event.actor == "company" and event.payload["grounds"] == "隐瞒刑事处罚，依规清退"
        assert event.payload["before"]["status"] == "in_service"
        assert event.payload["after"]["status"] == "dismissed"

    # The next campaign's screening refuses the person, naming the earlier dismissal.
    refused = reapply(bureau, campaign_id, person)
    assert refused["status"] == "ineligible"
    [reason] = refused["reasons"]
    left = (ctx.clock.now().date() - timedelta(days=1)).isoformat()
    assert reason.startswith(f"曾于{left}被公安分局清退（发现不得聘用情形：受过刑事处罚")
    assert reason_en(reason).startswith(
        f"Dismissed by the sub-bureau on {left} (Disqualifier found: Criminal"
    )

    # (c) A station reports a breach of its own town's officer; another town's station may not.
    breach_report = {"officer_id": breach, "category": "serious_breach", "facts": "值班期间饮酒滋事"}
    body = {"process_id": "dismissal", "data": breach_report}
    assert "辖区" in users["boyu_station"].post("/api/v1/instances", body, expect=422)["message"]
    users["gushan_station"].post("/api/v1/instances", body, expect=201)
    review = the_task(bureau, "police_bureau", "bureau_review", breach)
    complete(bureau, review, {"propose": False, "review_opinion": "情节较轻，给予批评教育"})
    [kept] = bureau.get(f"/api/v1/officers/{breach}")["dismissals"]
    assert kept["outcome"] == "kept" and kept["grounds"] == "公安分局审查不予提请：情节较轻，给予批评教育"
    assert bureau.get(f"/api/v1/officers/{breach}")["status"] == "in_service"
