"""The exam-score completion refuses a score for anyone but the campaign's eligible applicants, whole:
nothing is ranked and the task stays open (SQLite and PostgreSQL)."""

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
    publish,
    start_recruitment,
    the_task,
)
from tests.conftest import User
from workflows.ports import ManualClock


def closed_campaign(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> dict[str, Any]:
    """A campaign past registration: two eligible applicants and one ineligible, scores not yet entered."""
    bureau = users["bureau"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    birth = birth_for_age(today, 25)
    eligible = [bureau.post(url, applicant(n, "gs-v05", birth), expect=201)["id"] for n in (1, 2)]
    ineligible = bureau.post(url, applicant(3, "gs-v05", birth, healthy=False), expect=201)
    assert ineligible["status"] == "ineligible"
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    return {"campaign_id": campaign_id, "eligible": eligible, "ineligible": ineligible["id"]}


def statuses(bureau: User, campaign_id: int) -> dict[int, str]:
    report = bureau.get(f"/api/v1/campaigns/{campaign_id}")
    return {a["id"]: a["status"] for a in report["applications"]}


def test_a_score_for_someone_not_eligible_refuses_the_whole_table(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    campaign = closed_campaign(users, ctx, clock)
    first, second = campaign["eligible"]
    before = statuses(bureau, campaign["campaign_id"])
    for outsider in (campaign["ineligible"], 99999):
        scores = [
            {"application_id": first, "score": 80},
            {"application_id": second, "score": 70},
            {"application_id": outsider, "score": 90},
        ]
        body = complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores}, expect=422)
        assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
        assert str(outsider) in body["message"] and "资格审查合格" in body["message"]
        assert statuses(bureau, campaign["campaign_id"]) == before, "nothing ranked, nobody marked absent"
        assert the_task(bureau, "police_bureau", "enter_exam_scores")["state"] in ("open", "claimed")
    # The same table without the outsider is taken.
    scores = [{"application_id": first, "score": 80}, {"application_id": second, "score": 70}]
    complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores})
    after = statuses(bureau, campaign["campaign_id"])
    assert after[campaign["ineligible"]] == "ineligible"
    assert {after[first], after[second]} <= {"ranked", "vetting"}


def test_two_scores_for_one_applicant_refuse_the_table(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    campaign = closed_campaign(users, ctx, clock)
    first, second = campaign["eligible"]
    before = statuses(bureau, campaign["campaign_id"])
    scores = [
        {"application_id": first, "score": 80},
        {"application_id": second, "score": 70},
        {"application_id": first, "score": 95},
    ]
    body = complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores}, expect=422)
    assert str(first) in body["message"] and "不止一次" in body["message"]
    assert "more than one score" in body["message_en"]
    assert statuses(bureau, campaign["campaign_id"]) == before, "nothing ranked"
