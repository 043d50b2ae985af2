"""Start from the web (issue 13, point 1), in a browser: the bureau's head starts a named campaign from the
home page and lands on its first task; then starts a month's appraisal and re-runs it. Both languages.
Screenshots: start-*-zh.png / start-*-en.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from tests.api.appraisal_steps import seed
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.walk_steps import codes_on, switch_language


def seen(page: Page, name: str, lang: str) -> None:
    """A screenshot of the page, which must show names, never codes."""
    shot(page, f"start-{name}-{'en' if lang == 'en' else 'zh'}")
    assert codes_on(page, lang) == [], name


def leave(ctx: ServiceContext, count: int) -> None:
    """``count`` officers resign: their posts are the vacancies a campaign recruits for."""
    with ctx.database.transaction() as session:
        ids = list(session.scalars(select(OfficerModel.id).order_by(OfficerModel.id).limit(count)))
        session.execute(update(OfficerModel).where(OfficerModel.id.in_(ids)).values(status="resigned"))


def test_the_bureau_head_starts_a_campaign_and_a_month_from_the_web(
    pages: Pages, ctx: ServiceContext
) -> None:
    seed(ctx)
    leave(ctx, 3)  # 43 of the 46 posts filled
    page = pages.new()
    login(page, "bureau_head")
    tools = page.locator("#tools")
    expect(tools).to_contain_text("启动招聘")
    expect(tools).to_contain_text("启动月度考核")
    seen(page, "01-home", "zh-CN")

    # A campaign: its name is all the head types; the service gives the business key.
    page.click("#tool-start-campaign")
    expect(page.locator("h1")).to_have_text("启动招聘")
    page.click("#start-campaign")  # without a name: refused next to the field
    expect(page.locator("#field-subject .field-error")).to_be_visible()
    page.fill("#in-subject", "2026年农村辅警招聘")
    seen(page, "02-campaign-form", "zh-CN")
    page.click("#start-campaign")
    expect(page).to_have_url(re.compile(r"/tasks/"))
    flash = page.locator(".flash").first
    expect(flash).to_contain_text("已启动招聘批次“2026年农村辅警招聘”（业务编号 2026-recruitment）")
    expect(flash).to_contain_text("下一步：起草用人计划（公安分局）")
    meta = page.locator("#task-meta")
    expect(meta).to_contain_text("对象：2026年农村辅警招聘")
    expect(meta).not_to_contain_text("2026-recruitment")
    seen(page, "03-campaign-started", "zh-CN")

    switch_language(page, "en")
    page.goto("/campaigns/start")
    expect(page.locator("h1")).to_have_text("Start a recruitment campaign")
    page.fill("#in-subject", "2026 second campaign")
    seen(page, "02-campaign-form", "en")
    page.click("#start-campaign")
    flash = page.locator(".flash").first
    expect(flash).to_contain_text(
        "Recruitment campaign “2026 second campaign” started (business key 2026-recruitment-2)"
    )
    expect(flash).to_contain_text("Next: Draft staffing plan (Public Security Sub-bureau)")
    expect(page.locator("#task-meta")).to_contain_text("2026 second campaign")
    seen(page, "03-campaign-started", "en")

    # A month: started once, re-run without starting anything twice.
    page.goto("/")
    page.click("#tool-start-month")
    expect(page.locator("h1")).to_have_text("Start a month's appraisal")
    expect(page.locator("#in-month")).to_have_value("2026-11")
    seen(page, "04-month-form", "en")
    page.click("#start-month")
    expect(page.locator(".flash").first).to_have_text(
        "Appraisal 2026-11: 43 started now, 0 there already (43 officers in service)"
    )
    seen(page, "05-month-started", "en")

    switch_language(page, "zh-CN")
    expect(page.locator("h1")).to_have_text("启动月度考核")
    seen(page, "04-month-form", "zh-CN")
    page.click("#start-month")
    expect(page.locator(".flash").first).to_have_text(
        "2026-11 考核：本次启动 0 份，此前已有 43 份（在岗辅警 43 名）"
    )
    seen(page, "05-month-rerun", "zh-CN")

    # Phones: the start pages fit 390 px.
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("/appraisals/months/start", "/campaigns/start", "/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shot(page, "start-06-home-phone-zh")


def test_an_auditor_and_a_designer_land_on_their_tools(pages: Pages) -> None:
    for username, tool in (
        ("auditor", "#tool-audit"),
        ("designer", "#tool-incidents"),
        ("admin", "#tool-start-month"),
    ):
        page = pages.new()
        login(page, username)
        expect(page.locator("body")).not_to_contain_text("您不属于任何部门")
        expect(page.locator(tool)).to_be_visible()
        expect(page.locator("#tool-start-campaign")).to_have_count(0)
        seen(page, f"07-home-{username}", "zh-CN")
