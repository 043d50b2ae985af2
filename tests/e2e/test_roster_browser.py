"""The sub-bureau's head reads the officer roster, filters it, opens an officer hired from a campaign, sees
the contract renewal raised for another one with its grounds, records that the officer resigned, and reads
it all in English and on a phone (issue 13, point 5). Screenshots: 50-roster*.png, 50-officer*.png,
50-renewal*.png."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from service.context import ServiceContext
from service.usecases.roster import start_due_renewals
from tests.api.appraisal_steps import add_history
from tests.api.roster_steps import officer_from_campaign, set_contract_end
from tests.api.test_contract_renewal import give_opinion
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import CHINA, ManualClock


def test_the_bureau_head_reads_the_roster_and_records_a_resignation(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    today = clock.now().astimezone(CHINA).date()
    hired = officer_from_campaign(users, ctx, today)
    officer_id = hired["officer_id"]
    add_history(ctx, [(officer_id, "2026-09", "competent"), (officer_id, "2026-10", "excellent")])
    renewing = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]
    set_contract_end(ctx, renewing["id"], today + timedelta(days=60))
    assert start_due_renewals(ctx) == 1
    give_opinion(users["company"])  # the service company's opinion comes first (issue 17, point 3)

    page = pages.new()
    login(page, "bureau_head")
    page.click("#nav-roster")
    expect(page.locator("h1")).to_have_text("辅警名册")
    expect(page.locator("#roster-total")).to_have_text("共 47 人")
    expect(page.locator("#roster tbody tr")).to_have_count(30)
    shot(page, "50-roster-zh")

    page.select_option("#filter-town", "gushan")
    page.locator("#roster-filters button").click()
    page.select_option("#filter-village", "gs-v02")
    page.locator("#roster-filters button").click()
    row = page.locator(f"#roster tr[data-officer='{officer_id}']")
    expect(row).to_contain_text("崮山前村")
    expect(row).to_contain_text("在岗")
    shot(page, "50-roster-filtered-zh")

    row.locator("a").click()
    expect(page.locator("#officer-village")).to_have_text("崮山前村")
    expect(page.locator("#officer-campaign a")).to_have_attribute(
        "href", f"/dashboards/campaigns/{hired['campaign_id']}"
    )
    expect(page.locator("#officer-appraisals tbody tr")).to_have_count(2)
    shot(page, "50-officer-zh")

    page.fill("#status-reason", "本人申请辞职，已办理交接")
    page.select_option("#status-new", "resigned")
    page.click("#status-submit")
    expect(page.locator("#officer-status")).to_contain_text("辞职")
    expect(page.locator("#officer-leave-reason")).to_have_text("本人申请辞职，已办理交接")
    expect(page.locator("#status-change")).to_have_count(0)
    shot(page, "50-officer-resigned-zh")

    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("#officer-status")).to_contain_text("Resigned")
    expect(page.locator("#officer-town")).to_have_text("Gushan Town")
    shot(page, "50-officer-resigned-en")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "50-officer-phone-en")

    page.goto("/officers?status=in_service")
    expect(page.locator("h1")).to_have_text("Officer roster")
    expect(page.locator("#roster-total")).to_contain_text("46")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "50-roster-phone-en")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "50-roster-en")

    # The renewal raised 60 days ahead waits in the bureau's queue, the officer and the contract beside it.
    page.goto("/queues/police_bureau")
    page.get_by_role("link", name="Decide on renewal").click()
    expect(page.locator("[data-panel='officer_contract']")).to_contain_text(renewing["name"])
    shot(page, "50-renewal-decision-en")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=zh-CN]")
    expect(page.locator("[data-panel='officer_contract']")).to_contain_text("合同期限")
    shot(page, "50-renewal-decision-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/officers")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "50-roster-phone-zh")
