"""The dashboards people read (issue 15, point 6): the sub-bureau opens a campaign's dashboard, sees its
charts drawn by ECharts, clicks a number (in a table and in a chart) and lands on the list behind it with
as many rows; on the appraisal dashboard it reads a town's veto and grades and opens their lists; in Chinese
and English, at 1366x768 and on a phone. Screenshots: 15-dash-*.png."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.appraisal_counts import rebuild
from service.persistence.models import OfficerModel
from service.usecases.audit_trail import CHINA
from tests.api.appraisal_steps import add_officers, seed
from tests.api.test_welfare import report_injury
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.web_units.test_application_pages import campaign_with_applications
from tests.web_units.test_dashboard_pages import record
from workflows.ports import ManualClock

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def charts_drawn(page: Page, ids: list[str]) -> None:
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    for chart in ids:
        expect(page.locator(f"#{chart}")).to_have_attribute("data-ready", "true")
        expect(page.locator(f"#{chart} svg").first).to_be_visible()


def test_the_bureau_reads_the_campaign_dashboard_and_opens_its_lists(
    pages: Pages, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, _ids = campaign_with_applications(users, clock)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    page.goto(f"/dashboards/campaigns/{campaign_id}")
    charts_drawn(page, ["chart-applicants", "chart-funnel", "chart-posts"])
    expect(page.locator("#chart-applicants svg text", has_text="资格审查未通过").first).to_be_visible()
    # The town's 46 villages are a row each (side by side they were slivers under unreadable labels).
    posts = page.locator("#chart-posts").bounding_box()
    assert posts is not None and posts["height"] > 46 * 20, posts
    expect(page.locator("#chart-posts svg text", has_text="涝台村")).to_be_visible()
    shot(page, "15-dash-campaign-zh")

    # A number of the table: 涝台村's applicants refused at screening.
    number = page.locator('#applicants-by-village tr[data-village="gs-v04"] td[data-status="ineligible"] a')
    expect(number).to_have_text("2")
    number.click()
    expect(page.locator("h1")).to_contain_text("报名人员")
    expect(page.locator("#applications tbody tr")).to_have_count(2)
    expect(page.locator("#filter-result")).to_have_value("ineligible")
    expect(page.locator("#filter-village")).to_have_value("gs-v04")
    shot(page, "15-dash-campaign-drilldown-zh")

    # A chart's element: the funnel's first stage, everyone registered.
    page.go_back()
    charts_drawn(page, ["chart-funnel"])
    registered = int(page.locator('#funnel tr[data-stage="registered"] a').inner_text())
    page.locator("#chart-funnel").scroll_into_view_if_needed()
    box = page.locator("#chart-funnel").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 62)
    expect(page).to_have_url(
        f"{pages.base_url}/dashboards/campaigns/{campaign_id}/applications?stage=registered"
    )
    expect(page.locator("#applications tbody tr")).to_have_count(registered)
    expect(page.locator("#filter-stage")).to_have_value("registered")

    page.goto(f"/dashboards/campaigns/{campaign_id}")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    charts_drawn(page, ["chart-applicants", "chart-funnel", "chart-posts"])
    expect(page.locator("#chart-applicants svg text", has_text="Ineligible").first).to_be_visible()
    expect(page.locator("#chart-funnel svg text", has_text="Registered").first).to_be_visible()
    shot(page, "15-dash-campaign-en")
    page.set_viewport_size(PHONE)
    page.reload()
    charts_drawn(page, ["chart-applicants", "chart-funnel", "chart-posts"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "15-dash-campaign-phone-en")


def test_the_bureau_reads_a_towns_veto_and_opens_its_results(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    now = clock.now()
    with ctx.database.transaction() as session:
        gushan = list(session.scalars(select(OfficerModel).where(OfficerModel.town == "gushan").limit(3)))
        boyu = session.scalars(select(OfficerModel).where(OfficerModel.town == "boyu").limit(1)).one()
        session.add_all(
            [
                record(gushan[0], month, "excellent", False, now),
                record(gushan[1], month, "excellent", False, now),
                record(gushan[2], month, "incompetent", True, now),
                record(boyu, month, "competent", False, now),
            ]
        )
        session.flush()
        rebuild(session.connection())  # the dashboard reads its counts: rebuilt as after an import
    clock.advance(timedelta(minutes=1))
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    page.goto("/dashboards/appraisal")
    drawn = ["chart-grades", "chart-vetoes", "chart-overdue", "chart-trend"]
    charts_drawn(page, drawn)
    expect(page.locator("#chart-grades svg text", has_text="优秀").first).to_be_visible()
    shot(page, "15-dash-appraisal-zh")

    veto = page.locator(f'tr[data-month="{month}"][data-town="gushan"] td[data-col="vetoes"] a')
    expect(veto).to_have_text("1")
    veto.click()
    expect(page.locator("h1")).to_contain_text(f"{month} 考核结果")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("群众投诉")
    expect(rows.first).to_contain_text("不称职")
    expect(page.locator("#filter-veto")).to_be_checked()
    shot(page, "15-dash-appraisal-vetoes-zh")

    page.goto("/dashboards/appraisal")
    excellent = page.locator(f'tr[data-month="{month}"][data-town="gushan"] td[data-grade="excellent"] a')
    expect(excellent).to_have_text("2")
    excellent.click()
    expect(rows).to_have_count(2)
    expect(page.locator("#filter-town")).to_have_value("gushan")
    expect(page.locator("#filter-grade")).to_have_value("excellent")

    page.goto("/dashboards/appraisal")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    charts_drawn(page, drawn)
    expect(page.locator("#chart-grades svg text", has_text="Excellent").first).to_be_visible()
    shot(page, "15-dash-appraisal-en")
    page.set_viewport_size(PHONE)
    page.reload()
    charts_drawn(page, drawn)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "15-dash-appraisal-phone-en")
    page.click(f'tr[data-month="{month}"][data-town="gushan"] td[data-col="vetoes"] a')
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Incompetent")
    shot(page, "15-dash-appraisal-vetoes-phone-en")


def test_the_bureau_reads_the_officers_dashboard_and_opens_the_leavers(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, 2)
    with ctx.database.reading() as session:
        leaver, injured = session.scalars(select(OfficerModel.id).order_by(OfficerModel.id.desc()).limit(2))
    users["bureau_head"].post(
        f"/api/v1/officers/{leaver}/status",
        {"status": "dismissed", "on": "2026-11-02", "reason": "连续两次考核不称职"},
    )
    report_injury(users, injured)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    page.click("#nav-officers")
    drawn = ["chart-staffing", "chart-leavers", "chart-open-steps"]
    charts_drawn(page, drawn)
    expect(page.locator("h1")).to_have_text("辅警队伍看板")
    expect(page.locator("#chart-leavers svg text", has_text="辞退").first).to_be_visible()
    expect(page.locator("#chart-open-steps svg text", has_text="工伤处理").first).to_be_visible()
    expect(page.locator('#officer-open-steps tr[data-process="work_injury"]')).to_contain_text("1")
    shot(page, "17-dash-officers-zh")
    dismissed = page.locator('#officer-leavers tr[data-month="2026-11"] td[data-col="dismissed"] a')
    expect(dismissed).to_have_text("1")
    dismissed.click()
    expect(page.locator("#roster-left-in")).to_contain_text("2026-11 离岗的辅警")
    expect(page.locator("#roster tbody tr")).to_have_count(1)
    expect(page.locator("#roster tbody tr").first).to_contain_text("连续两次考核不称职")
    expect(page.locator("#filter-status")).to_have_value("dismissed")
    shot(page, "17-dash-officers-leavers-zh")

    page.goto("/dashboards/officers")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    charts_drawn(page, drawn)
    expect(page.locator("#chart-leavers svg text", has_text="Dismissed").first).to_be_visible()
    # The open cases' numbers open the list of cases (not the inbox), by the step the cases wait at.
    expect(page.locator("#officer-charts-note")).to_contain_text("Open cases link to the list of cases")
    expect(page.locator("#officer-open-steps thead")).to_contain_text("Current step")
    shot(page, "17-dash-officers-en")
    page.set_viewport_size(PHONE)
    page.reload()
    charts_drawn(page, drawn)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The towns' officers and posts read as cards on a phone: no column hidden past the screen's edge.
    leave = page.locator('#officer-staffing td[data-col="on_injury_leave"]').first
    expect(leave).to_have_attribute("data-label", "Of them on injury leave")
    box = leave.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    shot(page, "17-dash-officers-phone-en")
