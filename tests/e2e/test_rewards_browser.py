"""The sub-bureau's head decides a reward proposed by a colleague: the decision page shows the proposal's
reasons and the officer's appraisal history beside the form; the officer's page then lists the reward, and
the refusal of a colleague vetoed in the period (issue 17, point 2). zh-CN and en, desktop and phone.
Screenshots: 17-reward-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from service.context import ServiceContext
from tests.api.appraisal_steps import officer_of, tasks_of
from tests.api.test_rewards import REASONS, TOWN_GOV, propose, reward_task
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_the_head_decides_a_reward_on_its_grounds_and_the_officer_page_shows_it(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    strong, vetoed = propose(users, ctx, proposer="bureau")
    town = users["gushan_gov"]
    opinion = reward_task(town, TOWN_GOV, "town_opinion", strong)
    town.post(f"/api/v1/tasks/{opinion['id']}/complete", {"data": {"town_veto": False}})
    [decision] = [
        t
        for t in tasks_of(users["bureau_head"], "police_bureau", "decide_reward")
        if officer_of(users["bureau_head"], t) == strong
    ]

    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau_head")
    page.goto(f"/tasks/{decision['id']}")
    expect(page.locator("h1")).to_contain_text("公安分局奖励决定")
    proposal = page.locator("[data-panel='reward_proposal']")
    expect(proposal).to_contain_text("奖励提名")
    expect(proposal).to_contain_text(REASONS)
    expect(proposal).to_contain_text("通报表扬")
    expect(proposal).to_contain_text("公安分局 王警官")  # the proposer, by name
    expect(proposal).to_contain_text("2026-09 – 2026-11：无")
    history = page.locator("[data-panel='appraisal_history']")
    expect(history).to_contain_text("考核记录")
    expect(history).to_contain_text("优秀")
    shot(page, "17-reward-decision-zh")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "17-reward-decision-phone-zh")
    page.set_viewport_size(DESKTOP)

    page.select_option("[name='approve']", "true")
    page.select_option("[name='reward_kind']", "bonus")
    page.fill("[name='decision_reason']", "连续三个月优秀，同意给予奖励性绩效")
    page.click("#complete")
    expect(page.locator("#form-message")).to_have_count(0)

    page.goto(f"/officers/{strong}")
    row = page.locator("#officer-rewards tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("予以奖励")
    expect(row).to_contain_text("奖励性绩效")
    expect(row).to_contain_text("连续三个月优秀，同意给予奖励性绩效")
    expect(row).to_contain_text("2026-11")
    expect(page.locator("h2", has_text="奖励")).to_be_visible()
    shot(page, "17-reward-officer-zh")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "17-reward-officer-phone-zh")

    page.goto(f"/officers/{vetoed}")
    refused = page.locator("#officer-rewards tbody tr")
    expect(refused).to_contain_text("不予奖励")
    expect(refused).to_contain_text("一票否决")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("#officer-rewards")).to_contain_text("Refused")
    expect(page.locator("#officer-rewards")).to_contain_text("Vetoed by the town government in the period")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "17-reward-refused-phone-en")
    page.set_viewport_size(DESKTOP)
    shot(page, "17-reward-refused-en")
