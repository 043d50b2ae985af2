"""The officer roster over HTTP: contents and links, who reads what, status changes that free a post."""

from __future__ import annotations

from datetime import timedelta

from service.context import ServiceContext
from tests.api.appraisal_steps import add_history
from tests.api.recruitment_steps import the_task
from tests.api.roster_steps import events, officer, officer_from_campaign, seed_officers
from tests.conftest import User
from workflows.ports import CHINA, ManualClock


def test_roster_lists_names_links_contract_and_history(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    today = clock.now().astimezone(CHINA).date()
    hired = officer_from_campaign(users, ctx, today)
    add_history(
        ctx, [(hired["officer_id"], "2026-09", "competent"), (hired["officer_id"], "2026-10", "excellent")]
    )
    bureau = users["bureau"]

    roster = bureau.get("/api/v1/officers?per_page=200")
    assert roster["total"] == 47
    row = next(o for o in roster["items"] if o["id"] == hired["officer_id"])
    assert row["campaign_id"] == hired["campaign_id"]
    assert row["application_id"] == hired["application"]["id"]
    assert row["screening_instance_id"] == hired["application"]["screening_instance_id"]
    assert row["campaign_title"], "the campaign by its title, not its number"
    assert (row["village_name"], row["town_name"], row["town_name_en"]) == (
        "崮山前村",
        "崮山镇",
        "Gushan Town",
    )
    assert (row["role_label"], row["status_label"], row["status_label_en"]) == (
        "村（社区）主任助理",
        "在岗",
        "In service",
    )
    assert (row["contract_number"], row["contract_start"], row["contract_end"]) == (
        "WH-FJ-2026-901",
        "2026-09-01",
        "2029-08-31",
    )
    assert row["status_since"] == "2026-09-01" and row["left_on"] is None
    # The demo's officers came from no campaign of the service: no link is invented for them.
    demo = next(o for o in roster["items"] if o["id"] != hired["officer_id"])
    assert demo["campaign_id"] is None and demo["application_id"] is None

    hired_here = bureau.get(f"/api/v1/officers?campaign={hired['campaign_id']}")
    assert [o["id"] for o in hired_here["items"]] == [hired["officer_id"]]
    # The campaign's report links its officers to their applications too.
    report = bureau.get(f"/api/v1/campaigns/{hired['campaign_id']}")
    [linked] = report["officers"]
    assert (linked["id"], linked["application_id"]) == (hired["officer_id"], hired["application"]["id"])

    detail = bureau.get(f"/api/v1/officers/{hired['officer_id']}")
    assert [(a["month"], a["grade_label"]) for a in detail["appraisals"]] == [
        ("2026-10", "优秀"),
        ("2026-09", "称职"),
    ]
    assert detail["renewals"] == []

    # Filters and pages.
    boyu = bureau.get("/api/v1/officers?town=boyu&per_page=200")
    assert boyu["total"] > 0 and {o["town"] for o in boyu["items"]} == {"boyu"}
    village = bureau.get("/api/v1/officers?village=gs-v02")
    assert hired["officer_id"] in {o["id"] for o in village["items"]}
    assert {o["village_code"] for o in village["items"]} == {"gs-v02"}
    assert bureau.get("/api/v1/officers?status=resigned")["total"] == 0
    assert bureau.get("/api/v1/officers?status=in_service")["total"] == 47
    page = bureau.get("/api/v1/officers?per_page=10&page=5")
    assert (len(page["items"]), page["total"], page["page"]) == (7, 47, 5)
    first = [o["id"] for o in bureau.get("/api/v1/officers?per_page=10&page=1")["items"]]
    second = [o["id"] for o in bureau.get("/api/v1/officers?per_page=10&page=2")["items"]]
    assert not set(first) & set(second)
    bureau.get("/api/v1/officers?status=retired", expect=422)


def test_who_reads_the_roster(users: dict[str, User], ctx: ServiceContext) -> None:
    seed_officers(ctx)
    for reader in ("bureau", "bureau_head", "auditor", "admin"):
        assert users[reader].get("/api/v1/officers?per_page=1")["total"] == 46, reader
    for town, others in (("gushan", "boyu"), ("boyu", "gushan")):
        for department in ("station", "gov"):
            user = users[f"{town}_{department}"]
            own = user.get("/api/v1/officers?per_page=200")
            assert own["total"] > 0 and {o["town"] for o in own["items"]} == {town}
            user.get(f"/api/v1/officers?town={others}", expect=403)
            foreign = users["bureau"].get(f"/api/v1/officers?town={others}&per_page=1")["items"][0]
            user.get(f"/api/v1/officers/{foreign['id']}", expect=404)
            user.get(f"/api/v1/officers/{own['items'][0]['id']}")
    for outsider in ("company", "party", "finance", "designer"):
        refused = users[outsider].get("/api/v1/officers", expect=403)
        assert refused["message"] and refused["message_en"]
    users["bureau"].get("/api/v1/officers/99999", expect=404)


def test_status_change_by_the_bureau_head_frees_the_post(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    today = clock.now().astimezone(CHINA).date()
    head, bureau = users["bureau_head"], users["bureau"]
    leaving = bureau.get("/api/v1/officers?village=gs-v01")["items"][0]
    url = f"/api/v1/officers/{leaving['id']}/status"
    body = {"status": "resigned", "on": today.isoformat(), "reason": "本人申请辞职"}

    full = {
        "process_id": "recruitment",
        "business_key": "2027-recruitment",
        "data": {"subject": "2027年招聘"},
    }
    assert "没有空缺岗位" in head.post("/api/v1/instances", full, expect=422)["message"]
    bureau.post(url, body, expect=403)  # staff, not the head
    users["gushan_station_head"].post(url, body, expect=403)
    head.post(url, {**body, "reason": " "}, expect=422)
    head.post(url, {**body, "status": "in_service"}, expect=422)
    late = head.post(url, {**body, "on": (today + timedelta(days=1)).isoformat()}, expect=422)
    assert "on" in late["errors"]
    assert officer(ctx, leaving["id"]).status == "in_service"
    assert events(ctx, "officer_status_changed") == []

    changed = head.post(url, body)
    assert (changed["status"], changed["status_label"], changed["left_on"]) == (
        "resigned",
        "辞职",
        today.isoformat(),
    )
    assert changed["leave_reason"] == "本人申请辞职" and changed["status_since"] == today.isoformat()
    again = head.post(url, {**body, "status": "dismissed"}, expect=409)
    assert "辞职" in again["message"]
    [event] = events(ctx, "officer_status_changed")
    assert event.actor == "bureau_head"
    assert event.payload["before"]["status"] == "in_service" and event.payload["before"]["left_on"] is None
    assert event.payload["after"] == {
        "status": "resigned",
        "status_since": today.isoformat(),
        "left_on": today.isoformat(),
        "leave_reason": "本人申请辞职",
    }

    # The post is free: the roster counts 45 in service, and the next month starts no appraisal for them.
    assert bureau.get("/api/v1/officers?status=in_service")["total"] == 45
    assert bureau.get("/api/v1/officers?status=resigned")["items"][0]["id"] == leaving["id"]
    started = head.post("/api/v1/appraisals/months", {"month": "2026-12"}, expect=201)
    assert (started["officers"], started["started"]) == (45, 45)
    # ... and the next campaign recruits for exactly that post.
    head.post("/api/v1/instances", full, expect=201)
    plan = bureau.get(f"/api/v1/tasks/{the_task(bureau, 'police_bureau', 'draft_plan')['id']}")["data"][
        "plan"
    ]
    assert [(p["village_code"], p["posts"]) for p in plan["posts"] if p["posts"]] == [("gs-v01", 1)]
