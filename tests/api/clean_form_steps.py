"""The three cases of issue 11 where a form opened with someone else's answers, driven through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.recruitment_steps import (
    applicant,
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

PLAN = {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200}
RETURN_REASON = "薪酬标准偏低"
VETTING_NOTES = "征信记录有多笔逾期未还"


def returned_then_approved(users: dict[str, User]) -> None:
    """Party Affairs returns the plan with a reason, the bureau redrafts, Party Affairs approves it."""
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": RETURN_REASON})
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})


def second_review(users: dict[str, User]) -> None:
    """Party Affairs returns the plan, the bureau redrafts: the plan waits for its second review."""
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": RETURN_REASON})
    complete(bureau, "police_bureau", "draft_plan", PLAN)


def first_candidate_failed(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> tuple[int, int, int]:
    """Two candidates for one post; the better one fails vetting for bad credit.

    Returns the campaign, the failed candidate's application and the next one's.
    """
    bureau = users["bureau"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})
    complete(users["finance"], "finance", "confirm_funding", {"decision": "approve"})
    publish(bureau, today)
    data = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]
    campaign_id = int(data["campaign"]["campaign_id"])
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"
    ids = [
        bureau.post(apply_url, applicant(n, "gs-v04", birth_for_age(today, 25)), expect=201)["id"]
        for n in (1, 2)
    ]
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    scores = [{"application_id": ids[0], "score": 95.0}, {"application_id": ids[1], "score": 70.0}]
    complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores})
    task = the_task(bureau, "police_bureau", "vet_candidate")
    assert bureau.get(f"/api/v1/tasks/{task['id']}")["data"]["candidate"]["application_id"] == ids[0]
    submit(bureau, task, {"findings": ["bad_credit"], "notes": VETTING_NOTES})
    return campaign_id, ids[0], ids[1]


def next_vetting(bureau: User) -> dict[str, Any]:
    tasks = open_tasks(bureau, "police_bureau", "vet_candidate")
    assert len(tasks) == 1, tasks
    return dict(bureau.get(f"/api/v1/tasks/{tasks[0]['id']}"))
