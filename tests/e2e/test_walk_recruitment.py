"""Issue 11, done when: a recruitment walked through the web as each role, every page checked for raw codes
and shot in Chinese and English (test-output/screenshots/recruitment-*.png).

The bureau clerk drafts the plan, Party Affairs returns it with a reason, the clerk reads who returned it,
when and why and drafts again, Party Affairs approves (the second review opens clean), Finance approves (its
form opens clean after Party's return), the clerk publishes the announcement, enters the exam scores in the
score table and vets the candidates (the next candidate's form opens clean after one failed for bad
credit), and the service company signs the contract.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.recruitment_steps import applicant, birth_for_age, start_recruitment
from tests.conftest import User
from tests.e2e.conftest import Pages
from tests.e2e.walk_steps import (
    Walk,
    assert_clean_form,
    attach_file,
    claim_task,
    error_page,
    expect_texts,
    field_error,
    open_task,
    panel,
    submit,
    switch_language,
    village_name,
)
from workflows.ports import ManualClock

CJK = re.compile(r"[\u4e00-\u9fff]")
BUREAU, PARTY, FINANCE, COMPANY = "police_bureau", "party_affairs", "finance", "service_company"
RETURN_REASON = "月薪标准低于全区辅警保障标准，请按4200元重新测算"
BAD_CREDIT_NOTES = "征信报告显示多笔贷款逾期超过90天"


def draft_with_field_errors(walk: Walk, page: Page) -> None:
    """The plan submitted with its required fields empty: each error names the field by its title, in
    Chinese, then in English."""
    page.click("#complete")
    expect(page.locator("#form-message")).to_be_visible()
    assert "计划名称" in field_error(page, "plan_title")
    assert "月薪标准" in field_error(page, "monthly_salary")
    walk.look(page, "03-draft-errors", "zh-CN")
    switch_language(page, "en")
    page.click("#complete")
    assert "Plan title" in field_error(page, "plan_title")
    assert "Monthly salary" in field_error(page, "monthly_salary")
    walk.look(page, "03-draft-errors", "en")
    switch_language(page, "zh-CN")


def test_recruitment_walked_by_each_role(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    walk = Walk(pages, "recruitment")
    # Started through the API (as the bureau's head); tests/e2e/test_start_browser.py starts one on the web.
    recruitment = start_recruitment(users["bureau"])
    village = village_name(ctx, "gs-v04")

    bureau = walk.as_user("bureau")
    walk.visit(bureau, "01-home")
    bureau.goto(f"/queues/{BUREAU}")
    # The 对象 column names the campaign (it was blank for recruitment tasks).
    subject = bureau.locator("#tasks tbody tr").filter(has_text="起草用人计划").locator("td").nth(2)
    expect(subject).to_contain_text("2026年农村辅警招聘")
    walk.visit(bureau, "02-queue")
    first_draft = claim_task(bureau, BUREAU, "起草用人计划")
    # A first draft follows no return: no return note.
    expect(bureau.locator("#grounds section[data-panel='return_note']")).to_have_count(0)
    walk.visit(bureau, "03-draft")
    draft_with_field_errors(walk, bureau)
    bureau.fill("[name='plan_title']", "2026年农村辅警招聘计划")
    bureau.fill("[name='monthly_salary']", "3800")
    submit(bureau, "起草用人计划")

    party = walk.as_user("party")
    open_task(party, PARTY, "审核用人计划及薪酬", "2026年农村辅警招聘")  # the campaign, by its name
    plan = panel(party, "plan_table")
    # Posts per village and town, the total, the salary, the monthly and yearly cost (46 posts at 3,800).
    expect_texts(
        plan, ["2026年农村辅警招聘计划", "46", "3,800", "174,800", "2,097,600", "崮山镇", "泊于镇", village]
    )
    assert_clean_form(party, "reason")
    walk.visit(party, "04-review")
    party.select_option("[name='decision']", "return")
    party.fill("[name='reason']", RETURN_REASON)
    submit(party, "审核用人计划及薪酬")
    walk.visit(party, "04-party-queue-after-return")

    # The drafter sees who returned the plan, when and why.
    open_task(bureau, BUREAU, "起草用人计划")
    note = panel(bureau, "return_note")
    expect_texts(note, ["党群工作部", "党群工作部 李科长", RETURN_REASON, "北京时间", "退回修改"])
    walk.visit(bureau, "05-draft-after-return")
    bureau.fill("[name='plan_title']", "2026年农村辅警招聘计划")
    bureau.fill("[name='monthly_salary']", "4200")
    submit(bureau, "起草用人计划")

    # The second review opens clean: neither the earlier 退回 nor its reason.
    open_task(party, PARTY, "审核用人计划及薪酬")
    assert_clean_form(party, "reason")
    expect(panel(party, "plan_table")).to_contain_text("4,200")
    walk.visit(party, "06-second-review")
    party.select_option("[name='decision']", "approve")
    submit(party, "审核用人计划及薪酬")

    # Finance's form opens clean after Party's return: no 同意 chosen, no reason; the budget beside it.
    finance = walk.as_user("finance")
    open_task(finance, FINANCE, "确认经费保障")
    assert_clean_form(finance, "reason")
    expect(finance.locator("main")).not_to_contain_text(RETURN_REASON)
    expect_texts(panel(finance, "plan_table"), ["4,200", "193,200", "2,318,400"])
    walk.visit(finance, "07-funding")
    finance.select_option("[name='decision']", "approve")
    submit(finance, "确认经费保障")
    walk.visit(finance, "07-finance-queue-after-approval")

    today = clock.now().date()
    open_task(bureau, BUREAU, "发布招聘公告")
    walk.visit(bureau, "08-announcement")
    bureau.fill("[name='registration_start']", today.isoformat())
    bureau.fill("[name='registration_end']", (today + timedelta(days=10)).isoformat())
    bureau.fill("[name='announcement']", "威海经济技术开发区公开招聘农村辅警公告")
    submit(bureau, "发布招聘公告")

    # Applicants register through the API (the public registration page is not the clerk's): two for
    # one post of 崮山镇 village gs-v04, a third who is not eligible.
    campaign_id = users["bureau"].get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"][
        "campaign_id"
    ]
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"
    adult = birth_for_age(today, 25)
    names = ["孙建华", "周丽娜"]
    ids = [
        users["bureau"].post(apply_url, {**applicant(n, "gs-v04", adult), "name": name}, expect=201)["id"]
        for n, name in enumerate(names, start=1)
    ]
    users["bureau"].post(
        apply_url, {**applicant(3, "gs-v04", adult), "name": "吴未成", "healthy": False}, expect=201
    )
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1  # registration closes

    bureau = walk.sign_in_again("bureau")
    open_task(bureau, BUREAU, "录入考试成绩")
    table = bureau.locator("#score-table")
    expect(table.locator("tbody tr")).to_have_count(2)  # the eligible ones only
    expect_texts(table, [*names, village])
    expect(table).not_to_contain_text("吴未成")
    expect(table).to_contain_text("********")  # IDs masked
    walk.visit(bureau, "09-exam-scores")
    # Validated per row: a score above 100 is refused next to that applicant, what was typed kept.
    bureau.fill(f"#in-scores\\.{ids[0]}\\.score", "150")
    bureau.fill(f"#in-scores\\.{ids[1]}\\.score", "70.5")
    bureau.click("#complete")
    expect(bureau.locator(f"#error-{ids[0]}")).to_be_visible()
    expect(bureau.locator(f"#error-{ids[1]}")).to_have_count(0)
    assert bureau.input_value(f"#in-scores\\.{ids[1]}\\.score") == "70.5"
    expect(bureau.locator(f"#error-{ids[0]}")).to_contain_text(names[0])
    walk.look(bureau, "09-exam-scores-row-error", "zh-CN")
    switch_language(bureau, "en")
    bureau.fill(f"#in-scores\\.{ids[0]}\\.score", "150")
    bureau.fill(f"#in-scores\\.{ids[1]}\\.score", "70.5")
    bureau.click("#complete")
    expect(bureau.locator(f"#error-{ids[0]}")).to_contain_text("Score")
    walk.look(bureau, "09-exam-scores-row-error", "en")
    switch_language(bureau, "zh-CN")
    bureau.fill(f"#in-scores\\.{ids[0]}\\.score", "95")
    bureau.fill(f"#in-scores\\.{ids[1]}\\.score", "70.5")
    submit(bureau, "录入考试成绩")

    # The better candidate fails vetting for bad credit.
    open_task(bureau, BUREAU, "考察政审", names[0])
    expect_texts(
        panel(bureau, "application"), [names[0], "********", "95", "第1名", village, "崮山镇", "学历", "高中"]
    )
    assert_clean_form(bureau, "notes")
    walk.visit(bureau, "10-vetting")
    attach_file(bureau, "政审材料-1.pdf")
    bureau.check("input[name='findings'][value='bad_credit']")
    bureau.fill("[name='notes']", BAD_CREDIT_NOTES)
    submit(bureau, "考察政审")

    # The next candidate's form opens with nothing ticked and empty notes; the rejection is listed.
    open_task(bureau, BUREAU, "考察政审", names[1])
    assert_clean_form(bureau, "notes")
    expect(bureau.locator("form.task-form")).not_to_contain_text(BAD_CREDIT_NOTES)
    expect_texts(panel(bureau, "application"), [names[1], "70.5", "第2名"])
    expect_texts(panel(bureau, "rejected_candidates"), [names[0], "有较为严重的个人不良信用记录"])
    walk.visit(bureau, "11-vetting-next")
    attach_file(bureau, "政审材料-2.pdf")
    bureau.fill("[name='notes']", "已核查户籍、公安信息系统及征信记录，未发现不得聘用情形")
    submit(bureau, "考察政审")

    clock.advance(timedelta(days=7, minutes=1))  # the announcement's notice length, 7 days by default
    assert fire_due_timers(ctx) == 1  # the public notice ends: the contract is due

    company = walk.as_user("company")
    company.goto(f"/queues/{COMPANY}")
    walk.visit(company, "12-company-queue")
    claim_task(company, COMPANY, "签订劳动合同")
    expect_texts(
        panel(company, "hired_person"), [names[1], "********", village, "崮山镇", f"{village} 第1岗"]
    )
    walk.visit(company, "13-contract")
    attach_file(company, "劳动合同-已签字.pdf")
    company.fill("[name='contract_number']", "WH-FJ-2026-001")
    company.fill("[name='contract_start']", "2027-01-01")
    company.fill("[name='contract_end']", "2029-12-31")
    submit(company, "签订劳动合同")

    # The first draft, opened again: what was submitted, by whom, when, and where the work went next.
    bureau = walk.sign_in_again("bureau")
    bureau.goto(f"/tasks/{first_draft}")
    record = bureau.locator("#task-record")
    expect_texts(
        record,
        ["计划名称", "2026年农村辅警招聘计划", "3800", "公安分局 王警官", "北京时间", "审核用人计划及薪酬"],
    )
    expect(bureau.locator("#complete")).to_have_count(0)
    walk.visit(bureau, "14-completed-task")

    # Errors are pages in the person's language, never the API's JSON.
    assert error_page(bureau, "/tasks/999999", 404)
    walk.visit(bureau, "15-not-found")
    assert error_page(bureau, f"/queues/{FINANCE}", 403)
    walk.visit(bureau, "16-forbidden")
    assert error_page(company, f"/tasks/{first_draft}", 403)
    switch_language(bureau, "en")
    for path, status in (("/tasks/999999", 404), (f"/queues/{FINANCE}", 403)):
        message = error_page(bureau, path, status)
        assert not CJK.search(message), message
    switch_language(bureau, "zh-CN")
    walk.assert_pages_read_well()
