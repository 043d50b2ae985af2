"""Steps of the campaign calendar through the HTTP API, shared by its API and page tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.recruitment_steps import (
    applicant,
    approve_plan,
    birth_for_age,
    complete,
    open_tasks,
    start_recruitment,
    submit,
    the_task,
)
from tests.conftest import User
from workflows.ports import CHINA, ManualClock


def beijing_today(clock: ManualClock) -> date:
    return clock.now().astimezone(CHINA).date()


def open_campaign(
    users: dict[str, User],
    clock: ManualClock,
    days: int = 10,
    key: str = "2026-recruitment",
    **announced: Any,
) -> int:
    """A campaign whose registration runs from today to ``days`` later; its id."""
    recruitment = start_recruitment(users["bureau_head"], key)
    approve_plan(users)
    today = beijing_today(clock)
    complete(
        users["bureau"],
        "police_bureau",
        "publish_announcement",
        {
            "registration_start": today.isoformat(),
            "registration_end": (today + timedelta(days=days)).isoformat(),
            "announcement": "威海经济技术开发区公开招聘农村辅警公告",
            **announced,
        },
    )
    data = users["bureau"].get(f"/api/v1/instances/{recruitment['id']}")["data"]
    return int(data["campaign"]["campaign_id"])


def hire_one(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock, **announced: Any
) -> tuple[int, int]:
    """A campaign with one applicant, registration closed early, through vetting: (campaign, the post's
    hiring instance now in its public notice)."""
    head, staff = users["bureau_head"], users["bureau"]
    campaign_id = open_campaign(users, clock, **announced)
    today = beijing_today(clock)
    applied = staff.post(
        f"/api/v1/campaigns/{campaign_id}/applications",
        applicant(1, "gs-v01", birth_for_age(today, 25)),
        expect=201,
    )
    url = f"/api/v1/campaigns/{campaign_id}/calendar/close-registration"
    head.post(url, {"reason": "报名人数已满足需要"})
    # Closed for applicants at once; the model closes at the scheduler's next round.
    staff.post(
        f"/api/v1/campaigns/{campaign_id}/applications",
        applicant(2, "gs-v01", birth_for_age(today, 25)),
        expect=409,
    )
    assert open_tasks(staff, "police_bureau", "enter_exam_scores") == []
    assert fire_due_timers(ctx) == 1
    head.post(url, {"reason": "再次"}, expect=409)
    complete(
        staff,
        "police_bureau",
        "enter_exam_scores",
        {"scores": [{"application_id": applied["id"], "score": 80}]},
    )
    vetting = the_task(staff, "police_bureau", "vet_candidate")
    submit(staff, vetting, {"findings": [], "notes": "已核查，无不得聘用情形"})
    return campaign_id, int(vetting["instance_id"])
