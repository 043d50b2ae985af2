"""A whole recruitment through the HTTP API over the bundled BPMN: 46 posts, every eligibility boundary,
a score tie decided by priority, a vetting failure replaced by the next candidate, a vacant post, and
officers recorded with the right role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.recruitment_steps import (
    applicant,
    approve_plan,
    birth_for_age,
    complete,
    open_tasks,
    publish,
    start_recruitment,
    submit,
    the_task,
)
from tests.conftest import User
from workflows.ports import ManualClock
from workflows.rules.eligibility import DISQUALIFIER_CODES

BOUNDARY_CASES: list[tuple[str, int, dict[str, Any], list[str]]] = [
    ("age 17", 17, {}, ["age_under_18"]),
    ("age 18", 18, {}, []),
    ("age 30", 30, {}, []),
    ("age 31 without relaxation", 31, {}, ["age_over_30_not_relaxed"]),
    ("age 31 with military service", 31, {"military_service": True}, []),
    ("age 40 with related experience", 40, {"related_experience": True}, []),
    ("age 40 without relaxation", 40, {}, ["age_over_30_not_relaxed"]),
    ("age 41 with military service", 41, {"military_service": True}, ["age_over_40"]),
    ("age 41 without relaxation", 41, {}, ["age_over_40"]),
    ("not a Weihai resident", 25, {"weihai_residence": False}, ["no_weihai_residence"]),
    ("below high school", 25, {"education": "below_high_school"}, ["below_high_school"]),
    ("not a PRC national", 25, {"nationality": "US"}, ["not_chinese_national"]),
    ("unhealthy", 25, {"healthy": False}, ["not_healthy"]),
] + [(f"disqualifier {code}", 25, {"disqualifiers": [code]}, [code]) for code in DISQUALIFIER_CODES]


def reason_codes(ctx: ServiceContext, application_id: int) -> list[str]:
    """The DMN's reason codes for an application, read from its screening instance's history."""
    from sqlalchemy import select

    from service.persistence.models import ApplicationModel, AuditEventModel

    with ctx.database.reading() as session:
        application = session.get(ApplicationModel, application_id)
        assert application is not None
        event = session.scalars(
            select(AuditEventModel).where(
                AuditEventModel.instance_id == application.screening_instance_id,
                AuditEventModel.action == "decision_executed",
            )
        ).one()
        return list(event.payload["detail"]["result"].get("reason_code") or [])


def test_full_recruitment(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    bureau, party, finance, company = users["bureau"], users["party"], users["finance"], users["company"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)

    # The plan is pre-computed from the register: 46 posts.
    draft = the_task(bureau, "police_bureau", "draft_plan")
    plan = bureau.get(f"/api/v1/tasks/{draft['id']}")["data"]["plan"]
    assert plan["total_posts"] == 46
    posts = {p["village_code"]: p["posts"] for p in plan["posts"]}
    assert posts["gs-c01"] == 2 and posts["by-p01"] == 1

    # Party Affairs sends it back once (a reason is required), then Finance does; both are revised.
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "2026年招聘计划", "monthly_salary": 4000})
    refused = complete(party, "party_affairs", "review_plan", {"decision": "return"}, expect=422)
    assert "reason" in refused["errors"]
    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬标准偏低"})
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "2026年招聘计划", "monthly_salary": 4200})
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})
    complete(finance, "finance", "confirm_funding", {"decision": "return", "reason": "请补充保险费用测算"})
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"

    # Screening: every eligibility boundary, each reason recorded.
    serial = 0
    for label, age, overrides, expected in BOUNDARY_CASES:
        serial += 1
        result = bureau.post(
            apply_url, applicant(serial, "gs-v05", birth_for_age(today, age), **overrides), expect=201
        )
        assert (result["status"] == "eligible") == (not expected), label
        assert reason_codes(ctx, result["id"]) == expected, label
        assert len(result["reasons"]) == len(expected), label
        if age == 17:
            assert result["reasons"] == ["年龄未满18周岁"]

    # One eligible applicant per post, plus the special cases below.
    roster: dict[str, list[tuple[int, float]]] = {}

    def apply(village: str, score: float, **overrides: Any) -> int:
        nonlocal serial
        serial += 1
        result = bureau.post(
            apply_url, applicant(serial, village, birth_for_age(today, 25), **overrides), expect=201
        )
        assert result["status"] == "eligible", result
        roster.setdefault(village, []).append((result["id"], score))
        return int(result["id"])

    plain = apply("gs-v03", 88.0)  # applied first, no priority
    soldier = apply("gs-v03", 88.0, priority=["retired_soldier"])  # same score, retired soldier
    failing = apply("gs-v04", 95.0)  # best score, fails vetting
    backfill = apply("gs-v04", 70.0, party_member=True)
    lonely = apply("by-v14", 90.0)  # only candidate, fails vetting: the post stays vacant
    party_members = set()
    for village, count in posts.items():
        for slot in range(count - len(roster.get(village, [])) if village not in ("by-v14",) else 0):
            member = (slot + len(village)) % 2 == 0
            application_id = apply(village, 60.0 + slot, party_member=member)
            if member:
                party_members.add(application_id)
    party_members.add(backfill)

    # Registration closes when the timer fires on the service clock; late applications are refused.
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    bureau.post(apply_url, applicant(999, "gs-v01", birth_for_age(today, 25)), expect=409)

    scores = [{"application_id": aid, "score": score} for items in roster.values() for aid, score in items]
    complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores})

    # Vetting: the failing candidates are replaced by the next in rank; one post runs out of candidates.
    failures = {failing, lonely}
    vetted = []
    while tasks := open_tasks(bureau, "police_bureau", "vet_candidate"):
        for task in tasks:
            candidate = bureau.get(f"/api/v1/tasks/{task['id']}")["data"]["candidate"]
            vetted.append(candidate["application_id"])
            findings = ["criminal_record"] if candidate["application_id"] in failures else []
            submit(bureau, task, {"findings": findings, "notes": "已核查户籍、公安信息系统及征信记录"})
    assert soldier in vetted and plain not in vetted, "the tie goes to the retired soldier"
    assert vetted.index(failing) < vetted.index(backfill)
    assert len(vetted) == 46 + 1  # 45 hires, the backfilled failure, the vacant post's failure

    # Public notice: the contract waits for the notice timer.
    assert open_tasks(company, "service_company") == []
    clock.advance(timedelta(days=7, minutes=1))  # the announcement states no notice length: 7 days
    assert fire_due_timers(ctx) == 45
    contracts = open_tasks(company, "service_company", "sign_contract")
    assert len(contracts) == 45
    for number, task in enumerate(contracts, start=1):
        contract = {
            "contract_number": f"WH-FJ-2026-{number:03d}",
            "contract_start": "2027-01-01",
            "contract_end": "2029-12-31",
        }
        submit(company, task, contract)

    report = bureau.get(f"/api/v1/campaigns/{campaign_id}")
    assert report["posts_total"] == 46
    assert report["posts_filled"] == 45
    assert report["posts_vacant"] == ["2026-recruitment/by-v14/1"]
    assert report["posts_in_progress"] == 0
    officers = {o["name"]: o for o in report["officers"]}
    applications = {a["id"]: a for a in report["applications"]}
    hired_ids = {a["id"] for a in report["applications"] if a["status"] == "hired"}
    assert soldier in hired_ids and backfill in hired_ids
    assert failing not in hired_ids and applications[failing]["status"] == "vetting_failed"
    assert applications[plain]["status"] == "ranked" and applications[plain]["rank"] == 2
    for application_id in hired_ids:
        officer = officers[applications[application_id]["name"]]
        expected_role = (
            "party_secretary_assistant" if application_id in party_members else "director_assistant"
        )
        assert officer["role"] == expected_role, officer
        assert officer["village_code"] == applications[application_id]["village_code"]
    assert report["rejections_by_reason"]["年龄未满18周岁"] == 1
    assert report["applicants_by_status"]["ineligible"] == sum(1 for case in BOUNDARY_CASES if case[3])
