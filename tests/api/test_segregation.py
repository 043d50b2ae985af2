"""Segregation of duties on every action, through HTTP: claim, reassign and completion apply the model's
``notSubject`` and ``separateFrom`` (for a reassignment, to the user the task is given to), and an account
linked to an officer reads nothing of its own appraisal but the result of a finished month."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import InstanceModel, OfficerModel
from tests.api.appraisal_steps import (
    add_history,
    decide_vetoes,
    officer_of,
    rubric,
    score_all,
    seed,
    tasks_of,
)
from tests.api.test_identity import new_user
from tests.conftest import User
from tests.web_units.browser_session import web_login

MONTH = "2026-11"
OWN_CASE = "与本人有关"
STATION = "police_station:gushan"
TOWN_GOV = "town_gov:gushan"
OFFICER_PASSWORD = "Weihai-2026-duty"  # meets the password policy (letters and digits, not the username)


def start_month(users: dict[str, User], ctx: ServiceContext | None = None) -> None:
    """Start the month's appraisals (officers seeded first, unless ``ctx`` is None: done already)."""
    if ctx is not None:
        seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)


def officer_account(
    users: dict[str, User], username: str, officer: int, departments: list[str], **extra: Any
) -> User:
    return new_user(users, username, departments, officer_id=officer, password=OFFICER_PASSWORD, **extra)


def station_scores(users: dict[str, User]) -> list[tuple[dict[str, Any], int]]:
    """The open station scoring tasks of Gushan with the officer each is about."""
    station = users["gushan_station"]
    return [(task, officer_of(station, task)) for task in tasks_of(station, STATION, "station_score")]


def test_an_officer_cannot_claim_their_own_station_score(users: dict[str, User], ctx: ServiceContext) -> None:
    start_month(users, ctx)
    (own_task, officer), (other_task, _other) = station_scores(users)[:2]
    own = officer_account(users, "officer_self", officer, [STATION])
    refused = own.post(f"/api/v1/tasks/{own_task['id']}/claim", expect=403)
    assert "职责分离" in refused["message"] and own_task["name_zh"] in refused["message"]
    assert refused["message_en"].startswith("Separation of duties")
    assert users["gushan_station"].get(f"/api/v1/tasks/{own_task['id']}")["state"] == "open"
    # Someone else's appraisal is an ordinary task for the same account.
    assert own.post(f"/api/v1/tasks/{other_task['id']}/claim")["claimed_by"] == "officer_self"


def test_a_head_cannot_reassign_a_task_to_the_officer_it_is_about(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    start_month(users, ctx)
    (own_task, officer), (other_task, _other) = station_scores(users)[:2]
    officer_account(users, "officer_self", officer, [STATION])
    head = users["gushan_station_head"]
    refused = head.post(
        f"/api/v1/tasks/{own_task['id']}/reassign",
        {"username": "officer_self", "reason": "人员调整"},
        expect=403,
    )
    assert "职责分离" in refused["message"] and "officer_self" in refused["message"]
    assert "officer_self" in refused["message_en"]
    assert users["gushan_station"].get(f"/api/v1/tasks/{own_task['id']}")["claimed_by"] is None
    moved = head.post(
        f"/api/v1/tasks/{other_task['id']}/reassign", {"username": "officer_self", "reason": "人员调整"}
    )
    assert moved["claimed_by"] == "officer_self"


def test_the_station_scorer_neither_claims_nor_is_given_the_town_score(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    start_month(users, ctx)
    both = new_user(users, "gushan_both", [STATION, TOWN_GOV])
    station_task = tasks_of(both, STATION, "station_score")[0]
    officer = officer_of(both, station_task)
    both.post(
        f"/api/v1/tasks/{station_task['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    town_task = next(t for t in tasks_of(both, TOWN_GOV, "town_score") if officer_of(both, t) == officer)
    claimed = both.post(f"/api/v1/tasks/{town_task['id']}/claim", expect=403)
    assert "职责分离" in claimed["message"]
    head = users["gushan_gov_head"]
    given = head.post(
        f"/api/v1/tasks/{town_task['id']}/reassign",
        {"username": "gushan_both", "reason": "人员调整"},
        expect=403,
    )
    assert "gushan_both" in given["message"] and "派出所日常管理考核" in given["message"]
    assert given["message_en"].startswith("Separation of duties: gushan_both did")
    assert head.post(
        f"/api/v1/tasks/{town_task['id']}/reassign", {"username": "gushan_gov", "reason": "人员调整"}
    )["claimed_by"]


def crafted_history(ctx: ServiceContext) -> tuple[int, int]:
    """Two Gushan officers: one incompetent in June (a second time this month means a dismissal review),
    one excellent in September and October (a third time means a reward proposal)."""
    seed(ctx)
    with ctx.database.reading() as session:
        weak, strong = session.scalars(
            select(OfficerModel.id).where(OfficerModel.town == "gushan").order_by(OfficerModel.id).limit(2)
        )
    add_history(
        ctx,
        [
            (weak, "2026-06", "incompetent"),
            (strong, "2026-09", "excellent"),
            (strong, "2026-10", "excellent"),
        ],
    )
    return weak, strong


def score_and_confirm(users: dict[str, User], weak: int) -> None:
    """Score the month (``weak`` badly), decide no veto and confirm every suggested grade."""
    bureau = users["bureau"]
    score_all(users, weak=frozenset({weak}))
    decide_vetoes(users, set())
    for task in tasks_of(bureau, "police_bureau", "confirm_grade"):
        data = bureau.get(f"/api/v1/tasks/{task['id']}")["data"]
        decision = {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}
        bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": decision})


def the_consequence(bureau: User, spec_name: str, officer: int) -> dict[str, Any]:
    return next(t for t in tasks_of(bureau, "police_bureau", spec_name) if officer_of(bureau, t) == officer)


def test_an_officer_cannot_complete_their_own_dismissal_review_or_reward_proposal(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    weak, strong = crafted_history(ctx)
    start_month(users)
    score_and_confirm(users, weak)
    bureau = users["bureau"]
    review = the_consequence(bureau, "dismissal_review", weak)
    proposal = the_consequence(bureau, "reward_proposal", strong)
    weak_account = officer_account(users, "officer_weak", weak, ["police_bureau"])
    strong_account = officer_account(users, "officer_strong", strong, ["police_bureau"])
    decision = {"decision": "keep", "reason": "本人申辩"}
    refused = weak_account.post(f"/api/v1/tasks/{review['id']}/complete", {"data": decision}, expect=403)
    assert OWN_CASE in refused["message"] and "清退审查" in refused["message"]
    nomination = {"proposal": "bonus", "reason": "本人提名"}
    refused = strong_account.post(
        f"/api/v1/tasks/{proposal['id']}/complete", {"data": nomination}, expect=403
    )
    assert OWN_CASE in refused["message"] and "奖励提名" in refused["message"]
    strong_account.post(f"/api/v1/tasks/{proposal['id']}/claim", expect=403)
    # Each may handle the other's case; the sub-bureau's staff handle both.
    strong_account.post(f"/api/v1/tasks/{review['id']}/complete", {"data": decision})
    bureau.post(
        f"/api/v1/tasks/{proposal['id']}/complete", {"data": {"proposal": "commend", "reason": "连续优秀"}}
    )


def own_instance(ctx: ServiceContext, officer: int) -> int:
    with ctx.database.reading() as session:
        return int(
            session.scalars(
                select(InstanceModel.id).where(InstanceModel.business_key == f"{MONTH}/{officer}")
            ).one()
        )


def assert_nothing_in_progress_is_shown(
    app: Flask, own: User, auditor: User, instance: int, task_id: str
) -> None:
    """Every read path refuses or leaves out the officer's own instance, its tasks and its history."""
    for url in (f"/api/v1/instances/{instance}", f"/api/v1/instances/{instance}/history"):
        assert OWN_CASE in own.get(url, expect=403)["message"]
        auditor.get(url)
    refused = own.get(f"/api/v1/tasks/{task_id}", expect=403)
    assert OWN_CASE in refused["message"] and "My appraisal results" in refused["message_en"]
    listed = own.get("/api/v1/instances?process_id=appraisal&per_page=100")
    assert instance not in [item["id"] for item in listed["items"]] and listed["total"] == 45
    for department in ("police_station:gushan", "town_gov:gushan", "police_bureau"):
        own_rows = [
            t
            for t in own.get(f"/api/v1/queues/{department}/tasks?per_page=200")["items"]
            if t["instance_id"] == instance
        ]
        assert own_rows == []
    assert own.get(f"/api/v1/audit/events?instance_id={instance}")["total"] == 0
    assert auditor.get(f"/api/v1/audit/events?instance_id={instance}")["total"] > 0
    exported = own.client.get("/api/v1/audit/events/export?format=jsonl", headers=own._headers())
    events = [json.loads(line) for line in exported.get_data(as_text=True).splitlines()]
    assert events and all(event["instance_id"] != instance for event in events)
    assert any(event["instance_id"] is None for event in events)  # events of no instance stay
    browser = web_login(app, own.username, OFFICER_PASSWORD)
    for page in (f"/tasks/{task_id}", f"/instances/{instance}"):
        response = browser.get(page)
        assert response.status_code == 403 and OWN_CASE in response.get_data(as_text=True), page


def test_an_officer_sees_only_the_result_of_their_own_finished_month(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    weak, _strong = crafted_history(ctx)
    start_month(users)
    instance = own_instance(ctx, weak)
    # An officer account of the sub-bureau that also audits: the widest reader the service has.
    own = officer_account(users, "officer_weak", weak, ["police_bureau"], roles=["auditor"])
    auditor, bureau = users["auditor"], users["bureau"]
    station_task = next(
        t for t in tasks_of(auditor, STATION, "station_score") if t["instance_id"] == instance
    )
    assert_nothing_in_progress_is_shown(app, own, auditor, instance, station_task["id"])
    assert [r["month"] for r in own.get("/api/v1/me/appraisals")] == ["2026-06"]  # imported, finished

    # Graded, but the dismissal review still runs: the month is not finished.
    score_and_confirm(users, weak)
    review = the_consequence(bureau, "dismissal_review", weak)
    assert_nothing_in_progress_is_shown(app, own, auditor, instance, review["id"])
    assert [r["month"] for r in own.get("/api/v1/me/appraisals")] == ["2026-06"]
    report = f"/api/v1/appraisals/reports/{MONTH}?town=gushan"
    assert weak not in [row["officer_id"] for row in own.get(report)]
    assert weak in [row["officer_id"] for row in bureau.get(report)]
    year = f"/api/v1/officers/{weak}/appraisals?until={MONTH}"
    assert own.get(year)["months"][-1]["grade"] is None
    assert bureau.get(year)["months"][-1]["grade"] == "incompetent"

    bureau.post(
        f"/api/v1/tasks/{review['id']}/complete", {"data": {"decision": "warn", "reason": "限期整改"}}
    )
    results = own.get("/api/v1/me/appraisals")
    assert [r["month"] for r in results] == [MONTH, "2026-06"]
    assert set(results[0]) == {
        "month",
        "station_total",
        "town_total",
        "combined_score",
        "veto",
        "veto_reason",
        "grade",
        "grade_label",
        "promotion_level",
        "promotion_label",
    }
    assert results[0]["grade"] == "incompetent" and results[0]["veto"] is False
    assert results[0]["station_total"] == sum(rubric("station_score.json", "station_items", 0.3).values())
    row = next(row for row in own.get(report) if row["officer_id"] == weak)
    assert row["grade"] == "incompetent" and row["combined_score"] == results[0]["combined_score"]
    assert row["confirmed_by"] is None and row["veto_by"] is None and row["suggested_grade"] is None
    others = [row for row in own.get(report) if row["officer_id"] != weak]
    assert others and all(row["confirmed_by"] == "bureau" for row in others)
    assert own.get(year)["months"][-1]["grade"] == "incompetent"
    # Finished, the instance still holds the scorers' work: only the result is the officer's to see.
    assert OWN_CASE in own.get(f"/api/v1/instances/{instance}", expect=403)["message"]
    assert bureau.get("/api/v1/me/appraisals") == []  # an account of no officer has no results
