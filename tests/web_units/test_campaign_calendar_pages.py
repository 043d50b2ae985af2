"""The campaign page's calendar (issue 13, point 2): dates and waits in Beijing time, the head's actions
with a reason, their outcome and history by display name, in Chinese and English."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.calendar_steps import beijing_today, hire_one, open_campaign
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.visible_text import assert_no_codes, visible_text
from workflows.ports import ManualClock

STATION = "police_station:gushan"


def page(client: FlaskClient, campaign_id: int) -> str:
    response = client.get(f"/dashboards/campaigns/{campaign_id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def post(client: FlaskClient, campaign_id: int, action: str, data: dict[str, str]) -> str:
    token = csrf(client, f"/dashboards/campaigns/{campaign_id}")
    response = client.post(
        f"/dashboards/campaigns/{campaign_id}/{action}", data={**data, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dashboards/campaigns/{campaign_id}#calendar")
    return page(client, campaign_id)


def test_the_head_closes_registration_from_the_campaign_page(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id = open_campaign(users, clock, notice_days=5)
    today = beijing_today(clock)
    staff, head = web_login(app, "bureau"), web_login(app, "bureau_head")

    seen = visible_text(page(staff, campaign_id))
    assert "招聘日程" in seen and "5 天" in seen
    end = (today + timedelta(days=10)).isoformat()
    closes = (today + timedelta(days=11)).isoformat()
    assert f"报名截止日期\n{end}" in seen
    assert f"报名截止时间\n{closes} 00:00 北京时间" in seen
    assert "报名截止" in seen  # the registration timer by its element name
    assert 'id="close-registration-form"' not in page(staff, campaign_id)  # staff only look

    headed = page(head, campaign_id)
    assert 'id="close-registration-form"' in headed and 'id="extend-registration-form"' in headed
    refused = post(head, campaign_id, "calendar/close-registration", {"reason": " "})
    assert "请填写调整理由" in visible_text(refused)

    later = (today + timedelta(days=12)).isoformat()
    extended = visible_text(
        post(
            head,
            campaign_id,
            "calendar/extend-registration",
            {"registration_end": later, "reason": "延长一周"},
        )
    )
    assert "报名截止日期已延长" in extended and f"报名截止日期\n{later}" in extended
    closed = post(head, campaign_id, "calendar/close-registration", {"reason": "报名人数已够"})
    text = assert_no_codes(closed)
    assert "报名已结束" in text
    # The history, newest first, by display name with the reason and what moved in Beijing time.
    assert "公安分局 局长" in text and "bureau_head" not in text
    history = text[text.index("日程调整记录") :]
    assert history.index("提前结束报名") < history.index("延长报名")
    assert 'id="close-registration-form"' not in closed  # closed for applicants already
    assert "报名人数已够" in text and "延长一周" in text
    assert f"报名截止日期：{end} → {later}" in text
    # The recruitment instance's page shows the moved end date among its data.
    found = re.search(r'href="(/instances/\d+)"', closed)
    assert found is not None
    instance_page = visible_text(html.unescape(staff.get(found.group(1)).get_data(as_text=True)))
    assert later in instance_page
    assert fire_due_timers(ctx) == 1
    assert "当前没有等待中的定时事项。" in visible_text(page(staff, campaign_id))

    # In English: English labels and punctuation, the zone named.
    head.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(head, "/")})
    english = assert_no_codes(page(head, campaign_id), "en")
    assert "Campaign calendar" in english and "Calendar changes" in english
    assert "Close registration early" in english and "Registration end date: " in english
    assert "Beijing time" in english and "北京时间" not in english


def test_the_head_extends_a_notice_from_the_campaign_page(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, post_instance = hire_one(users, ctx, clock)
    head = web_login(app, "bureau_head")
    shown = page(head, campaign_id)
    assert f'data-kind="notice" data-instance="{post_instance}"' in shown
    assert "公示期满" in visible_text(shown) and "提前结束公示" in shown
    day = (beijing_today(clock) + timedelta(days=9)).isoformat()
    extended = visible_text(
        post(
            head, campaign_id, f"notices/{post_instance}/extend", {"ends_on": day, "reason": "收到反映需核实"}
        )
    )
    assert "公示期已延长" in extended
    due = (beijing_today(clock) + timedelta(days=10)).isoformat()
    assert f"{due} 00:00 北京时间" in extended and "收到反映需核实" in extended
    bad = visible_text(
        post(head, campaign_id, f"notices/{post_instance}/extend", {"ends_on": "x", "reason": "y"})
    )
    assert "请选择有效的日期" in bad


def test_a_head_extends_a_due_date_from_the_task_page(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    task = tasks_of(users["gushan_station"], STATION, "station_score")[0]
    staff, head = web_login(app, "gushan_station"), web_login(app, "gushan_station_head")
    url = f"/tasks/{task['id']}"
    assert 'id="due-date-form"' not in staff.get(url).get_data(as_text=True)
    assert 'id="due-date-form"' in head.get(url).get_data(as_text=True)
    token = csrf(head, url)
    response = head.post(
        f"{url}/due-date", data={"due_on": "2026-12-12", "reason": "辅警休假", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    text = visible_text(html.unescape(head.get(url).get_data(as_text=True)))
    assert "任务期限已延长" in text and "期限：2026-12-12" in text
    # The auditors' page names the action and keeps the reason.
    auditor = web_login(app, "auditor")
    audit = auditor.get(f"/audit?action=task_due_extended&instance_id={task['instance_id']}")
    assert audit.status_code == 200
    audited = visible_text(html.unescape(audit.get_data(as_text=True)))
    assert "延长任务期限" in audited and "辅警休假" in audited
