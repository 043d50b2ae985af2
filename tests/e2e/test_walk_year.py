"""Issue 13, done when: a full year run through the web only, the service clock moved by the test.

The register has filled posts (arranged in the database: officers in service, one who resigned). The bureau
head starts a campaign on 启动招聘; the clerk's plan offers only the vacancies; Party Affairs and Finance
approve it; the clerk publishes the announcement (registration dates, age reference date, a 5-day notice)
and registers the applicants on the Excel import page; the head closes registration early from the
campaign calendar; the clerk enters the scores and vets the first candidate; the head extends the public
notice from the calendar (the old end passes without effect, the new one ends it); the service company signs
the contract; the head finds the officer on the roster, linked to the campaign, and starts the month's
appraisal; an admin adds a user and a village; a second campaign of the same year refuses a duplicate ID
number on its import page. Every page visited is checked for raw codes and shot in Chinese and English
(test-output/screenshots/year-*.png); the API and the database only arrange the register and read facts.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, OfficerModel
from service.scheduler import run_once as fire_due_timers
from service.usecases import excel_import
from tests.api.recruitment_steps import birth_for_age, resident_id
from tests.api.test_staffing_plan import ROSTER, VACANCIES, add_officers
from tests.e2e.conftest import Pages
from tests.e2e.walk_steps import (
    Walk,
    attach_file,
    claim_task,
    expect_texts,
    open_task,
    panel,
    submit,
    switch_language,
    village_name,
)
from workflows.ports import CHINA, ManualClock

BUREAU, PARTY, FINANCE, COMPANY = "police_bureau", "party_affairs", "finance", "service_company"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST, SECOND = "2026年农村辅警招聘", "2026年第二批农村辅警招聘"
VACANT = "gs-v01"  # quota 1, nobody in service
FILLED = "gs-v04"  # quota 1, 王一 in service


def applicants_sheet(rows: list[dict[str, str]]) -> bytes:
    """The import page's own template, ``rows`` filled in under its Chinese headers."""
    book = load_workbook(io.BytesIO(excel_import.template("applicants")))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(str(header), "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def applicant_row(n: int, name: str, village: str, birth: date, **changes: str) -> dict[str, str]:
    row = {
        "姓名": name,
        "身份证号": resident_id(n, birth),
        "出生日期": birth.isoformat(),
        "报考村（社区）": village,  # by name, as the clerk knows it
        "国籍": "中国",
        "威海常住户口": "是",
        "学历": "高中",
        "身体健康": "是",
        "品行端正": "是",
    }
    row.update(changes)
    return row


def import_applicants(page: Page, campaign_id: int, name: str, data: bytes) -> None:
    """The bureau's web way to register applications: the Excel import page."""
    page.goto("/")
    page.click("#nav-excel")
    page.select_option("#campaign", str(campaign_id))
    sheet: FilePayload = {"name": name, "mimeType": XLSX, "buffer": data}
    page.set_input_files("#file", files=[sheet])
    page.click("#upload")


def start_campaign(walk: Walk, head: Page, name: str, step: str) -> None:
    """The bureau head starts a named campaign from the home page's tool."""
    head.goto("/")
    head.click("#tool-start-campaign")
    head.fill("#in-subject", name)
    head.click("#start-campaign")
    expect(head.locator(".flash").first).to_contain_text(f"已启动招聘批次“{name}”")
    expect(head.locator(".flash").first).to_contain_text("下一步：起草用人计划（公安分局）")
    walk.visit(head, step)


def plan_and_fund(walk: Walk, name: str, quota: int, serving: int, vacancies: int, step: str) -> None:
    """The clerk drafts the plan as computed, Party Affairs approves it, Finance confirms the funding."""
    clerk = walk.as_user("bureau")
    claim_task(clerk, BUREAU, "起草用人计划", name)
    expect(clerk.locator("#plan-totals")).to_contain_text(
        f"编制 {quota} 个，在岗 {serving} 人，空缺 {vacancies} 个"
    )
    walk.visit(clerk, step)
    clerk.fill("[name='plan_title']", f"{name}计划")
    clerk.fill("[name='monthly_salary']", "4200")
    submit(clerk, "起草用人计划")
    party = walk.as_user("party")
    open_task(party, PARTY, "审核用人计划及薪酬", name)
    expect(panel(party, "plan_table")).to_contain_text(f"{vacancies * 4200:,}")
    party.select_option("[name='decision']", "approve")
    submit(party, "审核用人计划及薪酬")
    finance = walk.as_user("finance")
    open_task(finance, FINANCE, "确认经费保障", name)
    finance.select_option("[name='decision']", "approve")
    submit(finance, "确认经费保障")


def publish(clerk: Page, name: str, today: date, notice_days: int | None = None) -> None:
    open_task(clerk, BUREAU, "发布招聘公告", name)
    end = today + timedelta(days=10)
    clerk.fill("[name='registration_start']", today.isoformat())
    clerk.fill("[name='registration_end']", end.isoformat())
    clerk.fill("[name='age_reference_date']", end.isoformat())
    if notice_days is not None:
        clerk.fill("[name='notice_days']", str(notice_days))
    clerk.fill("[name='announcement']", f"威海经济技术开发区{name}公告")
    submit(clerk, "发布招聘公告")


def campaign_id_of(ctx: ServiceContext, name: str) -> int:
    """Read back: the campaign the plan of ``name`` created."""
    with ctx.database.reading() as session:
        found = session.scalars(
            select(CampaignModel.id).where(CampaignModel.title.like(f"{name}%")).order_by(CampaignModel.id)
        ).all()
    assert found, name
    return int(found[-1])


def test_a_year_run_through_the_web(pages: Pages, ctx: ServiceContext, clock: ManualClock) -> None:
    add_officers(ctx, ROSTER)  # arranged: 4 officers in service, one who resigned (her post is free)
    walk = Walk(pages, "year")
    today = clock.now().astimezone(CHINA).date()
    vacant = village_name(ctx, VACANT)

    # January's work in one morning: the head starts the campaign; the plan offers only the vacancies.
    head = walk.as_user("bureau_head")
    start_campaign(walk, head, FIRST, "01-campaign-started")
    clerk = walk.as_user("bureau")
    claim_task(clerk, BUREAU, "起草用人计划", FIRST)
    expect(clerk.locator("#plan-totals")).to_contain_text(f"编制 46 个，在岗 4 人，空缺 {VACANCIES} 个")
    assert clerk.input_value(f"#in-planned_posts\\.{FILLED}\\.posts") == "0"  # 王一 holds it
    assert clerk.input_value(f"#in-planned_posts\\.{VACANT}\\.posts") == "1"
    expect_texts(clerk.locator(f"#plan-row-{FILLED}"), [village_name(ctx, FILLED), "王一"])
    walk.visit(clerk, "02-plan-from-vacancies")
    clerk.fill("[name='plan_title']", f"{FIRST}计划")
    clerk.fill("[name='monthly_salary']", "4200")
    submit(clerk, "起草用人计划")
    party = walk.as_user("party")
    open_task(party, PARTY, "审核用人计划及薪酬", FIRST)
    expect_texts(
        panel(party, "plan_table"), ["编制总数", "46", "在岗总数", "王四、王五", f"{VACANCIES * 4200:,}"]
    )
    walk.visit(party, "03-plan-review")
    party.select_option("[name='decision']", "approve")
    submit(party, "审核用人计划及薪酬")
    finance = walk.as_user("finance")
    open_task(finance, FINANCE, "确认经费保障", FIRST)
    finance.select_option("[name='decision']", "approve")
    submit(finance, "确认经费保障")
    publish(clerk, FIRST, today, notice_days=5)
    campaign_id = campaign_id_of(ctx, FIRST)
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        assert campaign is not None
        posts = {p["village_code"]: p["posts"] for p in campaign.plan["posts"] if p["posts"]}
    assert sum(posts.values()) == VACANCIES and FILLED not in posts  # only vacancies recruited

    # Applications: the clerk imports the applicants' sheet; the unhealthy one is screened out.
    adult = birth_for_age(today, 25)
    names = ["孙建华", "周丽娜"]
    rows = [applicant_row(n, name, vacant, adult) for n, name in enumerate(names, start=101)]
    rows.append(applicant_row(103, "吴未成", vacant, adult, 身体健康="否"))
    import_applicants(clerk, campaign_id, "报名人员.xlsx", applicants_sheet(rows))
    imported = clerk.locator("#imported tbody tr")
    expect(imported).to_have_count(3)
    expect_texts(imported.first, [names[0], vacant, "合格"])
    walk.look(clerk, "04-applicants-imported", "zh-CN")
    ids = [int(imported.filter(has_text=name).locator("td.num").inner_text()) for name in names]
    clerk.goto(f"/dashboards/campaigns/{campaign_id}")
    clerk.click("#campaign-applications")
    expect(clerk.locator("#age-reference")).to_have_text(f"年龄计算截止日期：{today + timedelta(days=10)}")
    expect(clerk.locator("#applications tbody tr")).to_have_count(3)
    walk.visit(clerk, "05-applications")

    # The head closes registration early from the campaign calendar; the scheduler's round closes it.
    head.goto("/dashboards/campaigns")
    head.locator("#campaigns a", has_text=FIRST).first.click()
    expect(head.locator("#notice-days")).to_have_text("5 天")
    expect(head.locator("#calendar-timers")).to_contain_text("北京时间")
    head.click("#registration-actions summary:has-text('立即结束报名')")
    head.fill("#close-reason", "报名人数已满足岗位需要")
    head.click("#close-registration")
    expect(head.locator(".flash")).to_contain_text("报名已结束")
    expect_texts(
        head.locator("#calendar-history"), ["提前结束报名", "公安分局 局长", "报名人数已满足岗位需要"]
    )
    walk.visit(head, "06-registration-closed")
    switch_language(head, "en")  # the reasons are kept in Chinese; the English page shows them in English
    expect(head.locator("#rejections-by-reason")).to_contain_text("Serious physical or mental illness")
    switch_language(head, "zh-CN")
    expect(head.locator("#rejections-by-reason")).to_contain_text("有重大身心疾病或生理缺陷")
    assert fire_due_timers(ctx) == 1

    # Scores, then vetting of the best candidate.
    open_task(clerk, BUREAU, "录入考试成绩", FIRST)
    table = clerk.locator("#score-table")
    expect(table.locator("tbody tr")).to_have_count(2)  # the eligible ones
    expect(table).not_to_contain_text("吴未成")
    clerk.fill(f"#in-scores\\.{ids[0]}\\.score", "88")
    clerk.fill(f"#in-scores\\.{ids[1]}\\.score", "76.5")
    walk.look(clerk, "07-exam-scores", "zh-CN")
    submit(clerk, "录入考试成绩")
    open_task(clerk, BUREAU, "考察政审", names[0])
    expect_texts(panel(clerk, "application"), [names[0], "88", "第1名", vacant])
    walk.visit(clerk, "08-vetting")
    attach_file(clerk, "政审材料.pdf")
    clerk.fill("[name='notes']", "已核查户籍、公安信息系统及征信记录，未发现不得聘用情形")
    submit(clerk, "考察政审")

    # The 5-day public notice, extended from the calendar by three days.
    head.reload()
    notice = head.locator("#calendar-timers tr[data-kind='notice']")
    expect(notice).to_contain_text(names[0])
    expect(notice).to_contain_text(f"{clock.now() + timedelta(days=5):%Y-%m-%d}")
    new_day = today + timedelta(days=8)
    notice.locator("summary:has-text('延长公示')").click()
    notice.locator("input[name='ends_on']").fill(new_day.isoformat())
    notice.locator(".extend-notice-form textarea[name='reason']").fill("公示期间收到实名反映，需核实")
    notice.locator("button.extend-notice").click()
    expect(head.locator(".flash")).to_contain_text("公示期已延长")
    expect(head.locator("#calendar-timers tr[data-kind='notice']")).to_contain_text(
        f"{new_day + timedelta(days=1)} 00:00 北京时间"
    )
    walk.visit(head, "09-notice-extended")
    clock.advance(timedelta(days=5, minutes=1))
    assert fire_due_timers(ctx) == 0  # the old end passes: nothing happens
    new_end = datetime.combine(new_day + timedelta(days=1), time(0, 1), tzinfo=CHINA)
    clock.advance(new_end - clock.now())
    assert fire_due_timers(ctx) == 1  # the new end: the contract is due

    # The service company signs the contract.
    company = walk.as_user("company")
    claim_task(company, COMPANY, "签订劳动合同")
    expect_texts(panel(company, "hired_person"), [names[0], vacant, f"{vacant} 第1岗"])
    walk.visit(company, "10-contract")
    attach_file(company, "劳动合同-已签字.pdf")
    signed_on = clock.now().astimezone(CHINA).date()
    company.fill("[name='contract_number']", "WH-FJ-2026-101")
    company.fill("[name='contract_start']", signed_on.isoformat())
    company.fill("[name='contract_end']", (signed_on + timedelta(days=3 * 365)).isoformat())
    submit(company, "签订劳动合同")

    # The head finds the new officer on the roster, linked to the campaign they came from.
    head = walk.sign_in_again("bureau_head")
    head.click("#nav-roster")
    head.select_option("#filter-town", "gushan")
    head.locator("#roster-filters button").click()
    head.select_option("#filter-village", VACANT)
    head.locator("#roster-filters button").click()
    row = head.locator("#roster tbody tr", has_text=names[0])
    expect_texts(row, [vacant, "在岗"])
    walk.visit(head, "11-roster")
    row.locator("a").first.click()
    expect(head.locator("#officer-village")).to_have_text(vacant)
    link = head.locator("#officer-campaign a")
    expect(link).to_have_attribute("href", f"/dashboards/campaigns/{campaign_id}")
    expect(link).to_contain_text(FIRST)
    expect(head.locator("#officer-application")).to_contain_text(f"报名编号 {ids[0]}")
    walk.visit(head, "12-officer")

    # The month's appraisal, started from the web by the head (the scheduler would on its own).
    with ctx.database.reading() as session:
        serving = session.scalar(
            select(func.count()).select_from(OfficerModel).where(OfficerModel.status == "in_service")
        )
    assert serving == 5  # 王一, 王二, 王四, 王五 and the new officer
    month = f"{clock.now().astimezone(CHINA):%Y-%m}"
    head.goto("/")
    head.click("#tool-start-month")
    expect(head.locator("#in-month")).to_have_value(month)
    head.click("#start-month")
    expect(head.locator(".flash").first).to_have_text(
        f"{month} 考核：本次启动 5 份，此前已有 0 份（在岗辅警 5 名）"
    )
    walk.visit(head, "13-month-started")

    # An admin adds a user and a village on the administration pages.
    admin = walk.as_user("admin")
    admin.click("#nav-admin")
    admin.click("#admin-users-link")
    admin.click("#new-user")
    admin.fill("#in-username", "zhou")
    admin.fill("#in-display_name", "财政金融局 周会计")
    admin.fill("#in-password", "Kuai-Ji-Mi-Ma-2026")
    admin.check("#membership-finance input[name=departments]")
    admin.click("#save-user")
    expect(admin.locator(".flash.ok")).to_contain_text("财政金融局 周会计")
    walk.visit(admin, "14-admin-user")
    admin.click("#nav-admin")
    admin.click("#admin-register-link")
    admin.click("#new-village")
    admin.fill("#in-name_zh", "新港社区")
    admin.fill("#in-name_en", "Xingang Community")
    admin.select_option("#in-town", "boyu")
    admin.select_option("#in-kind", "community")
    admin.fill("#in-households", "1200")
    admin.fill("#in-effective_from", clock.now().astimezone(CHINA).date().isoformat())
    admin.fill("#in-reason", "新设社区")
    admin.click("#save-village")
    expect(admin.locator(".flash.ok")).to_be_visible()
    expect(admin.locator("#village-history tr.version")).to_have_count(1)
    walk.visit(admin, "15-admin-village")

    # A second campaign of the same year: its plan offers the vacancies left, the new village's posts among
    # them; someone who applied to the first may apply again, but only once.
    start_campaign(walk, head, SECOND, "16-second-campaign-started")
    for username in ("bureau", "party", "finance"):  # signed in eight days ago: expired
        walk.sign_in_again(username)
    # 46 posts and the new community's 2 (1,200 households); 5 in service; the first campaign's post filled.
    plan_and_fund(walk, SECOND, 48, 5, VACANCIES - 1 + 2, "17-second-plan")
    clerk = walk.as_user("bureau")
    later = clock.now().astimezone(CHINA).date()
    publish(clerk, SECOND, later)
    second_id = campaign_id_of(ctx, SECOND)
    assert second_id != campaign_id
    # 周丽娜, not hired in the first, applies for 王三's post, which her resignation freed
    freed = village_name(ctx, "gs-v05")
    again = applicant_row(102, names[1], freed, adult)
    import_applicants(clerk, second_id, "第二批报名人员.xlsx", applicants_sheet([again]))
    expect(clerk.locator("#imported tbody tr")).to_have_count(1)
    other = village_name(ctx, "gs-v02")
    import_applicants(
        clerk,
        second_id,
        "补充报名人员.xlsx",
        applicants_sheet([{**again, "报考村（社区）": other}]),
    )
    errors = clerk.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("2")
    expect(errors.first.locator("td").nth(1)).to_have_text("身份证号")
    expect(errors.first.locator("td").nth(2)).to_contain_text("已在本批次报名（报名编号")
    expect(errors.first.locator("td").nth(2)).to_contain_text(f"报考{freed}")
    expect(clerk.locator("#import-message")).to_contain_text("未导入任何数据")
    walk.look(clerk, "18-duplicate-id-refused", "zh-CN")
    with ctx.database.reading() as session:
        held = session.scalars(
            select(ApplicationModel.village_code).where(ApplicationModel.campaign_id == second_id)
        ).all()
    assert held == ["gs-v05"]
    walk.assert_pages_read_well()
