"""The campaign calendar in the browser (issue 13, point 2): the bureau head closes registration early and
extends a public notice from the campaign page, with a reason; the page shows the new times in Beijing
time and the history by display name, in Chinese and English, at a phone's width too."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.calendar_steps import beijing_today, open_campaign
from tests.api.recruitment_steps import applicant, birth_for_age, complete, submit, the_task
from tests.conftest import User
from tests.e2e.conftest import Pages
from tests.e2e.walk_steps import Walk
from workflows.ports import ManualClock


def test_the_head_closes_registration_early_and_extends_a_notice(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    walk = Walk(pages, "calendar")
    staff = users["bureau"]
    campaign_id = open_campaign(users, clock, notice_days=7)
    today = beijing_today(clock)
    applied = staff.post(
        f"/api/v1/campaigns/{campaign_id}/applications",
        applicant(1, "gs-v01", birth_for_age(today, 25)),
        expect=201,
    )

    page = walk.as_user("bureau_head")
    page.goto(f"/dashboards/campaigns/{campaign_id}")
    dates = page.locator("#calendar-dates")
    expect(dates).to_contain_text((today + timedelta(days=10)).isoformat())
    expect(page.locator("#notice-days")).to_have_text("7 天")
    expect(page.locator("#calendar-timers")).to_contain_text("报名截止")
    walk.visit(page, "01-open")

    page.click("#registration-actions summary:has-text('立即结束报名')")
    page.fill("#close-reason", "报名人数已满足岗位需要")
    page.click("#close-registration")
    expect(page.locator(".flash")).to_contain_text("报名已结束")
    history = page.locator("#calendar-history")
    expect(history).to_contain_text("提前结束报名")
    expect(history).to_contain_text("公安分局 局长")
    expect(history).to_contain_text("报名人数已满足岗位需要")
    expect(page.locator("#registration-actions")).to_have_count(0)
    walk.visit(page, "02-closed")

    # The scheduler's round closes it in the model; scores and vetting go on through the API.
    assert fire_due_timers(ctx) == 1
    complete(
        staff,
        "police_bureau",
        "enter_exam_scores",
        {"scores": [{"application_id": applied["id"], "score": 80}]},
    )
    vetting = the_task(staff, "police_bureau", "vet_candidate")
    submit(staff, vetting, {"findings": [], "notes": "已核查，无不得聘用情形"})

    page.goto(f"/dashboards/campaigns/{campaign_id}")
    notice = page.locator("#calendar-timers tr[data-kind='notice']")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("公示期满")
    ends = clock.now() + timedelta(days=7)
    expect(notice).to_contain_text(f"{ends:%Y-%m-%d}")
    new_day = today + timedelta(days=10)
    notice.locator("summary:has-text('延长公示')").click()
    notice.locator("input[name='ends_on']").fill(new_day.isoformat())
    notice.locator(".extend-notice-form textarea[name='reason']").fill("公示期间收到实名反映，需核实")
    notice.locator("button.extend-notice").click()
    expect(page.locator(".flash")).to_contain_text("公示期已延长")
    expect(page.locator("#calendar-timers tr[data-kind='notice']")).to_contain_text(
        f"{new_day + timedelta(days=1)} 00:00 北京时间"
    )
    expect(history.locator("tr[data-action='notice_extended']")).to_contain_text(
        "公示期间收到实名反映，需核实"
    )
    walk.visit(page, "03-notice-extended")
    walk.phone(page, "03-notice-extended")
    walk.assert_pages_read_well()
