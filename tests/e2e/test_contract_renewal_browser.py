"""A head of the sub-bureau decides a contract renewal on its grounds (the service company's opinion, the
appraisals of the contract term with their totals, the term's rewards), the company signs the new contract,
and the officer's page lists both contracts (issue 17, point 3). zh-CN and en, axe on both pages.
Screenshots: 17-renewal-*.png."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from service.context import ServiceContext
from service.usecases.roster import start_due_renewals
from tests.api.appraisal_steps import add_history
from tests.api.recruitment_steps import open_tasks
from tests.api.roster_steps import officer, seed_officers, set_contract_end
from tests.api.test_contract_renewal import OPINION, china_today, give_opinion
from tests.conftest import User
from tests.e2e.axe_check import assert_accessible
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

DESKTOP = {"width": 1366, "height": 768}


def test_the_head_decides_a_renewal_on_its_grounds_and_the_officer_page_lists_the_contracts(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    officer_id = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]["id"]
    add_history(ctx, [(officer_id, "2026-09", "excellent"), (officer_id, "2026-10", "competent")])
    set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=60))
    old = officer(ctx, officer_id)
    assert start_due_renewals(ctx) == 1
    give_opinion(users["company"])

    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau_head")
    page.goto("/queues/police_bureau")
    page.get_by_role("link", name="决定是否续签").click()
    expect(page.locator("h1")).to_contain_text("决定是否续签")
    opinion = page.locator("[data-panel='renewal_opinion']")
    expect(opinion).to_contain_text("愿意续签")
    expect(opinion).to_contain_text(OPINION["company_remarks"])
    expect(opinion).to_contain_text("赵经理")  # who gave it, by name
    term = page.locator("[data-panel='contract_appraisals']")
    expect(term).to_contain_text("本合同期考核记录（2025-12 起）")
    expect(term).to_contain_text("优秀 1 个月；称职 1 个月；一票否决 0 次")
    expect(page.locator("[data-panel='officer_rewards']")).to_contain_text("本合同期内没有奖励决定。")
    expect(page.locator("[data-panel='officer_contract']")).to_contain_text(old.contract_number)
    assert_accessible(page, "the renewal decision (zh-CN)")
    shot(page, "17-renewal-decision-zh")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(term).to_contain_text("Appraisals of the contract term (from 2025-12)")
    expect(term).to_contain_text("Excellent 1 month(s); Competent 1 month(s); vetoed 0 time(s)")
    expect(opinion).to_contain_text("Wishes to renew")
    shot(page, "17-renewal-decision-en")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=zh-CN]")

    page.select_option("[name='renew']", "true")
    page.click("#complete")
    expect(page.locator("#form-message")).to_have_count(0)

    company = users["company"]
    [sign] = open_tasks(company, "service_company", "sign_renewal")
    new_start = old.contract_end + timedelta(days=1)
    new_end = new_start.replace(year=new_start.year + 3) - timedelta(days=1)
    data = {
        "new_contract_number": "WH-XQ-2027-018",
        "new_contract_start": new_start.isoformat(),
        "new_contract_end": new_end.isoformat(),
    }
    company.post(f"/api/v1/tasks/{sign['id']}/complete", {"data": data})

    page.goto(f"/officers/{officer_id}")
    rows = page.locator("#officer-contracts tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("WH-XQ-2027-018")
    expect(rows.nth(0)).to_contain_text("履行中")
    expect(rows.nth(1)).to_contain_text(old.contract_number)
    expect(rows.nth(1)).to_contain_text("期满续签")
    expect(rows.nth(1)).to_contain_text("赵经理")  # the signer, by name
    expect(page.locator("#officer-contract")).to_have_text("WH-XQ-2027-018")
    assert_accessible(page, "the officer's contract history (zh-CN)")
    shot(page, "17-renewal-officer-zh")

    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("h2", has_text="Contract history")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Renewed")
    assert_accessible(page, "the officer's contract history (en)")
    shot(page, "17-renewal-officer-en")
    page.goto("/queues/police_bureau")
    expect(page.locator("body")).not_to_contain_text("Decide on renewal")
