"""My work (issue 15, point 1) through HTTP on SQLite and PostgreSQL: one inbox across a person's
departments, its filters, sorting and pages, bulk claim with a result per task, saved filters, "returned
to me", and the navigation's counts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from service.context import ServiceContext
from tests.api.appraisal_steps import add_officers, seed
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

MONTH = "2026-11"


def in_two_departments(users: dict[str, User]) -> None:
    """The Gushan station clerk also scores for the town government (as at a small station)."""
    admin = users["admin"]
    clerk = next(u for u in admin.get("/api/v1/admin/users") if u["username"] == "gushan_station")
    changed = admin.client.patch(
        f"/api/v1/admin/users/{clerk['user_id']}",
        json={"departments": ["police_station:gushan", "town_gov:gushan"]},
        headers=admin._headers(),
    )
    assert changed.status_code == 200, changed.get_json()


def inbox(user: User, expect: int = 200, **args: Any) -> Any:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return user.get(f"/api/v1/inbox?{query}", expect=expect)


def start_month(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)


def test_one_list_across_departments_with_filters_sorting_and_pages(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    in_two_departments(users)
    start_month(users, ctx)
    clerk = users["gushan_station"]
    everything = inbox(clerk, per_page=200)
    departments = {t["department_code"] for t in everything["items"]}
    assert departments == {"police_station:gushan", "town_gov:gushan"}
    station = users["gushan_station_head"].get("/api/v1/queues/police_station:gushan/tasks?per_page=200")
    town = users["gushan_gov"].get("/api/v1/queues/town_gov:gushan/tasks?per_page=200")
    assert everything["total"] == station["total"] + town["total"] > 0
    first = everything["items"][0]
    # Names, not codes: the process, the department, the village and the town as people read them.
    assert first["process_name_zh"] != first["process_id"] and first["department_name_zh"] in (
        "崮山派出所",
        "崮山镇人民政府",
    )
    assert first["village_name_zh"] and first["village_name_zh"] != first["village_code"]
    assert first["town_name_zh"] == "崮山镇"
    # A village: only its tasks, from both departments.
    village = first["village_code"]
    of_village = inbox(clerk, village=village, per_page=200)
    assert of_village["items"] and all(t["village_code"] == village for t in of_village["items"])
    assert of_village["total"] < everything["total"]
    assert inbox(clerk, town="boyu")["total"] == 0
    scoring = inbox(clerk, step="station_score", per_page=200)
    assert {t["spec_name"] for t in scoring["items"]} == {"station_score"}
    assert scoring["total"] == station["total"]
    # Sorted by village, then paged: the pages together are the whole sorted list.
    by_village = [t["village_code"] for t in inbox(clerk, sort="village", per_page=200)["items"]]
    assert by_village == sorted(by_village)
    page1, page2 = inbox(clerk, per_page=5, page=1), inbox(clerk, per_page=5, page=2)
    assert page1["total"] == page2["total"] == everything["total"]
    assert not {t["id"] for t in page1["items"]} & {t["id"] for t in page2["items"]}
    # Due: nothing is overdue yet; after the deadline everything is, by section and by the due filter.
    assert inbox(clerk, due="overdue")["total"] == 0 and inbox(clerk, section="overdue")["total"] == 0
    last = max(datetime.fromisoformat(t["due_at"]) for t in everything["items"])
    clock.advance(last - clock.now() + timedelta(minutes=1))
    assert inbox(clerk, due="overdue")["total"] == everything["total"]
    overdue = inbox(clerk, section="overdue", per_page=1)
    assert overdue["total"] == everything["total"] and overdue["items"][0]["overdue"] is True
    # One error shape for a wrong choice.
    refused = inbox(clerk, expect=422, section="nonsense", due="later")
    assert refused["code"] == 422 and set(refused["errors"]) == {"section", "due"}
    # Head-only tasks only for heads, as the queues offer them; other towns' work never.
    assert inbox(users["boyu_station"], village=village)["total"] == 0


def test_counts_stop_at_the_bound_and_say_so(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    """Past the count bound (AUXPOLICE_INBOX_COUNT_BOUND, 1,000; here 5 rather than inserting a thousand
    tasks) the API's total is a lower bound, flagged, and the page, its tabs and the navigation say "5+";
    below it, and as far as the page asked for reaches, counts stay exact."""
    in_two_departments(users)
    seed(ctx)
    add_officers(ctx, 2)  # 52 tasks for the clerk: more than a web page of 50
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    clerk = users["gushan_station"]
    everything = inbox(clerk, per_page=200)
    count = everything["total"]
    assert everything["total_is_lower_bound"] is False and count == len(everything["items"]) == 52
    ctx.settings.inbox_count_bound = 5
    first = inbox(clerk, per_page=3)
    assert (first["total"], first["total_is_lower_bound"]) == (5, True)
    assert [t["id"] for t in first["items"]] == [t["id"] for t in everything["items"][:3]]
    # Counted at least to the end of the page asked for: the client always knows a next page is there.
    third = inbox(clerk, per_page=3, page=3)
    assert (third["total"], third["total_is_lower_bound"]) == (9, True)
    assert [t["id"] for t in third["items"]] == [t["id"] for t in everything["items"][6:9]]
    last = inbox(clerk, per_page=4, page=13)
    assert (last["total"], last["total_is_lower_bound"], len(last["items"])) == (52, False, 4)
    # A list the filters narrow below the bound is counted exactly.
    by_village = Counter(t["village_code"] for t in everything["items"])
    village, expected = min(by_village.items(), key=lambda item: item[1])
    of_village = inbox(clerk, village=village, per_page=1)
    assert (of_village["total"], of_village["total_is_lower_bound"]) == (expected, False)
    schema = app.test_client().get("/api/openapi.json").get_json()["components"]["schemas"]
    assert schema["InboxTaskPage"]["properties"]["total_is_lower_bound"]["type"] == "boolean"

    # The page: "50+" in all (counted to the end of its 50 rows), page 1 of "2+"; the tabs and the
    # navigation's badges "5+" (six claimed, all overdue); page 2 is counted exactly.
    claimed = clerk.post("/api/v1/inbox/claim", {"task_ids": [t["id"] for t in everything["items"][:6]]})
    assert [r["outcome"] for r in claimed["results"]] == ["claimed"] * 6
    clock.advance(max(datetime.fromisoformat(t["due_at"]) for t in everything["items"]) - clock.now())
    clock.advance(timedelta(minutes=1))
    browser = web_login(app, "gushan_station")
    text = browser.get("/inbox").get_data(as_text=True)
    assert "共 50+ 项" in text and "数到 50 项为止" in text and "第 1 / 2+ 页" in text
    assert 'id="nav-claimed">已认领 5+<' in text and "逾期 5+" in text
    tabs = dict(re.findall(r'id="section-(\w+)".*?<span class="inbox-count">([^<]*)</span>', text))
    assert tabs == {
        "all": "50+",
        "mine": "5+",
        "open": "5+",
        "due_soon": "0",
        "overdue": "5+",
        "returned": "0",
    }
    text = browser.get("/inbox?page=2").get_data(as_text=True)
    assert "共 52 项" in text and "数到" not in text and "第 2 / 2 页" in text
    english = {"lang": "en", "csrf_token": csrf(browser, "/inbox")}
    assert browser.post("/language", data=english).status_code == 302
    text = browser.get("/inbox?section=mine").get_data(as_text=True)
    assert "Claimed 5+" in text and "6 in all" in text
    text = browser.get("/inbox").get_data(as_text=True)
    assert "50+ in all" in text and "(counted up to 50; filter to narrow the list)" in text


def test_bulk_claim_gives_a_result_per_task(app: Flask, users: dict[str, User], ctx: ServiceContext) -> None:
    start_month(users, ctx)
    clerk, head = users["gushan_station"], users["gushan_station_head"]
    mine = [t["id"] for t in inbox(clerk, step="station_score", per_page=4)["items"]]
    head.post(f"/api/v1/tasks/{mine[3]}/claim")  # the head takes one first
    other_town = inbox(users["boyu_station"], per_page=1)["items"][0]["id"]
    body = clerk.post("/api/v1/inbox/claim", {"task_ids": [*mine, other_town, "no-such-task", mine[0]]})
    outcomes = [(r["task_id"], r["outcome"]) for r in body["results"]]
    assert outcomes == [
        (mine[0], "claimed"),
        (mine[1], "claimed"),
        (mine[2], "claimed"),
        (mine[3], "taken"),
        (other_town, "not_allowed"),
        ("no-such-task", "not_found"),
    ]
    taken = body["results"][3]
    assert taken["holder"] == "崮山派出所 所长" and "所长" in taken["message"] and taken["message_en"]
    assert body["results"][0]["name_zh"] and body["results"][0]["subject"]
    assert body["results"][4]["name_zh"] == ""  # another department's task stays unnamed
    held = inbox(clerk, section="mine", per_page=200)
    assert sorted(t["id"] for t in held["items"]) == sorted(mine[:3])
    assert all(t["mine"] and t["claimed_by_name"] == "崮山派出所 刘警官" for t in held["items"])
    # Each claim audited as one claim, by the clerk.
    events = users["auditor"].get("/api/v1/audit/events?action=task_claimed&actor=gushan_station&per_page=50")
    assert sorted(e["task_id"] for e in events["items"]) == sorted(mine[:3])
    # The navigation's counts on every page.
    page = web_login(app, "gushan_station").get("/inbox?section=mine")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "已认领 3" in text
    clerk.post("/api/v1/inbox/claim", {"task_ids": []}, expect=422)
    clerk.post("/api/v1/inbox/claim", {"task_ids": ["x"] * 201}, expect=422)


def test_saved_filters_are_each_users_own(users: dict[str, User]) -> None:
    clerk, other = users["gushan_station"], users["boyu_station"]
    assert clerk.get("/api/v1/inbox/filters") == []
    saved = clerk.post(
        "/api/v1/inbox/filters",
        {"name": "涝台村逾期", "query": "village=gs-v01&due=overdue&page=3&evil=1"},
        expect=201,
    )
    assert saved["query"] == "village=gs-v01&due=overdue"  # only the inbox's own keys, page dropped
    duplicate = clerk.post("/api/v1/inbox/filters", {"name": "涝台村逾期", "query": ""}, expect=409)
    assert duplicate["message"] and duplicate["message_en"]
    clerk.post("/api/v1/inbox/filters", {"name": "", "query": ""}, expect=422)
    assert [f["name"] for f in clerk.get("/api/v1/inbox/filters")] == ["涝台村逾期"]
    assert other.get("/api/v1/inbox/filters") == []
    gone = other.client.delete(f"/api/v1/inbox/filters/{saved['id']}", headers=other._headers())
    assert gone.status_code == 404 and gone.get_json()["code"] == 404
    mine = clerk.client.delete(f"/api/v1/inbox/filters/{saved['id']}", headers=clerk._headers())
    assert mine.status_code == 204 and clerk.get("/api/v1/inbox/filters") == []


def test_a_plan_sent_back_is_returned_to_its_drafter(users: dict[str, User]) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    assert inbox(bureau, section="returned")["total"] == 0
    complete(
        bureau,
        "police_bureau",
        "draft_plan",
        {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200},
    )
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": "岗位数不足"})
    returned = inbox(bureau, section="returned")
    assert returned["total"] == 1
    task = returned["items"][0]
    assert task["spec_name"] == "draft_plan" and task["returned"] is True
    # Returned to the one who drafted it, not to the rest of the department.
    assert inbox(users["bureau_head"], section="returned")["total"] == 0
    everything = inbox(bureau)["items"]
    assert [t["returned"] for t in everything if t["id"] == task["id"]] == [True]
