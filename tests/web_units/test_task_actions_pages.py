"""The queue and task pages fit the roles and answer every action (issue 11, parts 6 and 7).

Before: head-only escalations sat in plain staff queues with a 认领 button that then refused, and were
counted; a head could not take over a task from the web; a claim or release said nothing and left the
person on the queue; a finished task said only 该任务已办结或已取消.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.scheduler import run_once as fire_due_timers
from service.usecases.appraisal import start_month
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.clean_form_steps import PLAN
from tests.api.recruitment_steps import approve_plan, start_recruitment, the_task
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

STATION = "police_station:gushan"


def overdue_month(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "test")
    task = tasks_of(users["gushan_station"], STATION, "station_score")[0]
    due = datetime.fromisoformat(users["gushan_station"].get(f"/api/v1/tasks/{task['id']}")["due_at"])
    clock.advance(due - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) > 0


def home_count(client: FlaskClient, department: str) -> int:
    page = client.get("/").get_data(as_text=True)
    row = re.search(
        rf'href="/queues/{re.escape(department)}">[^<]*</a></td>\s*<td class="num">(\d+)</td>', page
    )
    assert row is not None, page
    return int(row.group(1))


def post(client: FlaskClient, url: str, page: str, **data: str) -> tuple[int, str, str]:
    """Post a page's form as the browser does; the status, the redirect target and the page it lands on."""
    response = client.post(url, data={**data, "csrf_token": csrf(client, page)})
    location = response.headers.get("Location", "")
    landed = client.get(location).get_data(as_text=True) if response.status_code == 302 else ""
    return response.status_code, location, landed or response.get_data(as_text=True)


def test_staff_neither_see_nor_count_head_only_tasks_heads_see_them_marked(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    overdue_month(users, ctx, clock)
    scores = len(tasks_of(users["gushan_station"], STATION, "station_score"))
    escalations = tasks_of(users["gushan_station_head"], STATION, "station_escalation")
    staff, head = web_login(app, "gushan_station"), web_login(app, "gushan_station_head")
    assert home_count(staff, STATION) == scores
    assert home_count(head, STATION) == scores + len(escalations)
    staff_queue = staff.get(f"/queues/{STATION}?per_page=200").get_data(as_text=True)
    assert "逾期督办" not in staff_queue and "仅限负责人" not in staff_queue
    head_queue = head.get(f"/queues/{STATION}?sort=name").get_data(as_text=True)
    assert head_queue.count('class="badge head-only">仅限负责人') == min(len(escalations), 50)
    assert f"/tasks/{escalations[0]['id']}#handover" in head_queue
    # Auditors read the whole queue, head-only tasks marked, and act on nothing.
    audit_queue = web_login(app, "auditor").get(f"/queues/{STATION}?sort=name").get_data(as_text=True)
    assert "仅限负责人" in audit_queue and "/claim" not in audit_queue and "#handover" not in audit_queue
    # A staff member who follows a link to it reads it, with no form and no claim.
    page = staff.get(f"/tasks/{escalations[0]['id']}").get_data(as_text=True)
    assert "仅限负责人" in page and 'id="complete"' not in page and 'id="claim"' not in page


def test_a_head_takes_over_and_reassigns_from_the_task_page(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    start_recruitment(users["bureau"])
    task_id = the_task(users["bureau"], "police_bureau", "draft_plan")["id"]
    users["bureau"].post(f"/api/v1/tasks/{task_id}/claim")
    path = f"/tasks/{task_id}"
    assert 'id="handover"' not in web_login(app, "bureau").get(path).get_data(as_text=True)
    head = web_login(app, "bureau_head")
    page = head.get(path).get_data(as_text=True)
    assert 'id="take-over"' in page and '<option value="bureau_head">公安分局 局长</option>' in page
    # No reason: refused, said on the page, nothing moves.
    status, _where, landed = post(head, f"{path}/reassign", path, take_over="1", reason=" ")
    assert status == 302 and "请填写改派理由" in landed
    assert users["bureau"].get(f"/api/v1/tasks/{task_id}")["claimed_by"] == "bureau"
    status, where, landed = post(head, f"{path}/reassign", path, take_over="1", reason="王警官休假")
    assert status == 302 and where.endswith(path) and "您已接手办理：起草用人计划" in landed
    assert users["bureau"].get(f"/api/v1/tasks/{task_id}")["claimed_by"] == "bureau_head"
    status, _where, landed = post(
        head, f"{path}/reassign", path, take_over="0", username="bureau", reason="王警官返岗"
    )
    assert "已改派给 公安分局 王警官：起草用人计划" in landed
    assert users["bureau"].get(f"/api/v1/tasks/{task_id}")["claimed_by"] == "bureau"
    with ctx.database.reading() as session:
        reasons = list(
            session.scalars(
                select(AuditEventModel.payload)
                .where(AuditEventModel.action == "task_reassigned")
                .order_by(AuditEventModel.id)
            )
        )
    assert [r["reason"] for r in reasons] == ["王警官休假", "王警官返岗"]


def test_claiming_opens_the_task_and_every_action_says_what_it_did(
    app: Flask, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    task_id = the_task(users["bureau"], "police_bureau", "draft_plan")["id"]
    bureau = web_login(app, "bureau")
    queue = "/queues/police_bureau"
    status, where, landed = post(bureau, f"/tasks/{task_id}/claim", queue, next=queue)
    assert status == 302 and where.endswith(f"/tasks/{task_id}")
    assert "已认领：起草用人计划" in landed and 'id="complete"' in landed and 'id="release"' in landed
    status, where, landed = post(bureau, f"/tasks/{task_id}/release", f"/tasks/{task_id}")
    assert "已释放，任务已退回部门待办：起草用人计划" in landed and 'id="claim"' in landed
    bureau.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(bureau, "/")})
    _status, _where, landed = post(bureau, f"/tasks/{task_id}/claim", queue, next=queue)
    assert "Claimed: Draft staffing plan" in landed


def test_actions_on_a_missing_task_are_pages_not_json(app: Flask) -> None:
    head = web_login(app, "bureau_head")
    for action in ("claim", "release", "reassign"):
        response = head.post(
            f"/tasks/no-such-task/{action}",
            data={"csrf_token": csrf(head, "/"), "reason": "x", "take_over": "1"},
        )
        assert response.status_code == 404 and response.mimetype == "text/html", action
        page = response.get_data(as_text=True)
        assert "任务 no-such-task 不存在" in page and '"code"' not in page


def test_a_finished_task_shows_what_was_submitted_by_whom_when_and_what_came_next(
    app: Flask, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    approve_plan(users)
    done = users["finance"].get("/api/v1/queues/finance/tasks?state=completed")["items"][0]
    page = web_login(app, "finance").get(f"/tasks/{done['id']}").get_data(as_text=True)
    record = page[page.index('id="task-record"') :]
    assert "办理人：财政金融局 张科长" in record and ">finance<" not in record
    completed = datetime.fromisoformat(done["completed_at"])
    assert f"{(completed + timedelta(hours=8)):%Y-%m-%d %H:%M}" in record and "北京时间" in record
    assert re.search(r"<dt>审核意见</dt>\s*<dd>同意</dd>", record)
    assert "approve" not in record
    assert "发布招聘公告 — 公安分局" in record
    # In English: the form's English titles and labels, English punctuation.
    finance = web_login(app, "finance")
    finance.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(finance, "/")})
    english = finance.get(f"/tasks/{done['id']}").get_data(as_text=True)
    english = english[english.index('id="task-record"') :]
    assert "Handled by: " in english and "Completed at: " in english and "：" not in english
    assert re.search(r"<dd>Approve</dd>", english) and "Publish recruitment announcement — " in english
    # The API gives the same record.
    body = users["finance"].get(f"/api/v1/tasks/{done['id']}")
    assert body["record"]["submitted_by_name"] == "财政金融局 张科长"
    assert [f["value_zh"] for f in body["record"]["fields"] if f["key"] == "decision"] == ["同意"]
    assert [t["name_zh"] for t in body["record"]["next_tasks"]] == ["发布招聘公告"]


def test_a_refused_action_returns_to_its_page_never_to_another_site(
    app: Flask, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    task_id = the_task(users["bureau"], "police_bureau", "draft_plan")["id"]
    head = web_login(app, "bureau_head")
    path = f"/tasks/{task_id}"
    for referrer, back in ((f"http://localhost{path}", path), ("https://evil.example/x", "/")):
        response = head.post(
            f"{path}/reassign",
            data={"take_over": "1", "reason": "", "csrf_token": csrf(head, path)},
            headers={"Referer": referrer},
        )
        assert response.status_code == 302 and response.headers["Location"] == back, referrer
        assert "请填写改派理由" in head.get(back).get_data(as_text=True)


def test_completing_says_where_the_work_went_next_in_both_languages(
    app: Flask, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    users["bureau"].post(
        f"/api/v1/tasks/{the_task(users['bureau'], 'police_bureau', 'draft_plan')['id']}/complete",
        {"data": PLAN},
    )
    client = web_login(app, "party")
    task_id = the_task(users["party"], "party_affairs", "review_plan")["id"]
    status, location, landed = post(client, f"/tasks/{task_id}", f"/tasks/{task_id}", decision="approve")
    assert status == 302 and location.endswith("/queues/party_affairs")
    assert "任务已办结：审核用人计划及薪酬。后续环节：确认经费保障（财政金融局）" in landed

    english = web_login(app, "finance")
    english.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(english, "/")})
    task_id = the_task(users["finance"], "finance", "confirm_funding")["id"]
    _status, _location, landed = post(english, f"/tasks/{task_id}", f"/tasks/{task_id}", decision="approve")
    flash = re.search(r'<p class="flash[^"]*">([^<]*)</p>', landed)
    assert flash is not None and flash.group(1) == (
        "Task completed: Confirm funding. Next: Publish recruitment announcement (Public Security Sub-bureau)"
    )
