"""Issue 13 point 3 in a browser: a campaign on a register where some posts are filled. The clerk drafts the
plan in its table (quota, officers in service by name, vacancies), a number beyond the quota and a change
without its reason are refused beside their villages, in Chinese and in English; Party Affairs reviews the
plan against the quota and the roster. Shots: test-output/screenshots/staffing-plan-*.png.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.recruitment_steps import start_recruitment
from tests.api.test_staffing_plan import ROSTER, VACANCIES, add_officers
from tests.conftest import User
from tests.e2e.conftest import Pages
from tests.e2e.walk_steps import Walk, claim_task, expect_texts, open_task, panel, submit, switch_language

BUREAU, PARTY = "police_bureau", "party_affairs"
REASON = "社区警务室已覆盖，本年度暂不增补"


def row(page: Page, code: str) -> tuple[str, str, str]:
    """The row of a village, and the selectors of its two inputs (the ids carry dots: escaped)."""
    return (
        f"#plan-row-{code}",
        f"#in-planned_posts\\.{code}\\.posts",
        f"#in-planned_posts\\.{code}\\.reason",
    )


def fill_draft(page: Page, salary: str = "4200") -> None:
    page.fill("[name='plan_title']", "2026年农村辅警招聘计划")
    page.fill("[name='monthly_salary']", salary)


def refused_beside_the_villages(walk: Walk, page: Page, lang: str) -> None:
    """涝台村 asked for one more than its quota allows, 皂埠社区 cut without a reason: each error in its row,
    what was typed kept, the other rows clean."""
    laotai, laotai_posts, laotai_reason = row(page, "gs-v04")
    zaobu, zaobu_posts, _zaobu_reason = row(page, "gs-c01")
    fill_draft(page)
    page.fill(laotai_posts, "1")
    page.fill(laotai_reason, "补充警力")
    page.fill(zaobu_posts, "0")
    page.click("#complete")
    expect(page.locator(f"{laotai} .field-error")).to_be_visible()
    en = lang == "en"
    expect(page.locator(f"{laotai} .field-error")).to_contain_text(
        "Laotai Village: 1 to recruit exceeds the quota" if en else "涝台村：计划招聘 1 人超出编制"
    )
    expect(page.locator(f"{zaobu} .field-error")).to_contain_text(
        "give the reason for the change" if en else "请填写调整理由"
    )
    expect(page.locator("#plan-row-gs-v05 .field-error")).to_have_count(0)
    assert page.input_value(laotai_reason) == "补充警力" and page.input_value(zaobu_posts) == "0"
    walk.look(page, "02-draft-refused", lang)


def test_the_plan_is_drafted_from_vacancies_and_reviewed_against_the_quota(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    add_officers(ctx, ROSTER)
    start_recruitment(users["bureau"])
    walk = Walk(pages, "staffing-plan")

    bureau = walk.as_user("bureau")
    claim_task(bureau, BUREAU, "起草用人计划")
    table = bureau.locator("#plan-table")
    expect(table.locator("tbody tr")).to_have_count(43)
    expect(bureau.locator("#plan-totals")).to_contain_text(f"编制 46 个，在岗 4 人，空缺 {VACANCIES} 个")
    expect_texts(bureau.locator("#plan-row-gs-v06"), ["长会口村", "王四、王五"])
    assert bureau.input_value(row(bureau, "gs-v04")[1]) == "0"  # filled: nothing to recruit
    assert bureau.input_value(row(bureau, "gs-v05")[1]) == "1"  # its officer resigned: the post is free
    walk.visit(bureau, "01-draft")
    walk.phone(bureau, "01-draft")

    refused_beside_the_villages(walk, bureau, "zh-CN")
    switch_language(bureau, "en")
    refused_beside_the_villages(walk, bureau, "en")
    switch_language(bureau, "zh-CN")

    fill_draft(bureau)
    _zaobu, zaobu_posts, zaobu_reason = row(bureau, "gs-c01")
    bureau.fill(zaobu_posts, "0")
    bureau.fill(zaobu_reason, REASON)
    submit(bureau, "起草用人计划")

    party = walk.as_user("party")
    open_task(party, PARTY, "审核用人计划及薪酬", "2026年农村辅警招聘")
    plan = panel(party, "plan_table")
    # Against the quota and the roster: 46 posts, 4 in service, the vacancies, one fewer planned, the reason.
    expect_texts(
        plan,
        ["编制总数", "46", "在岗总数", str(VACANCIES), str(VACANCIES - 1), "王四、王五", "王二", REASON],
    )
    expect(plan).to_contain_text(f"{(VACANCIES - 1) * 4200:,}")
    walk.visit(party, "03-review")
    walk.phone(party, "03-review")
    walk.assert_pages_read_well()
