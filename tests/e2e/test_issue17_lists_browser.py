"""Issue 17's lists in the browser: the sub-bureau opens an open-case number of the officers' dashboard and
lands on the list of those cases, as many rows as the number, names not codes; it plans a training for
officers chosen by name and is told beside the list who does not fit; the officer page reads as cards on a
phone. zh-CN and en, 1366x768 and 390x844, axe on each page. Screenshots: 17-cases-*.png, 17-cohort-*.png,
17-officer-cards-*.png."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import insert

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from tests.api.appraisal_steps import add_history
from tests.api.test_training import PLAN
from tests.api.test_welfare import officers, report_injury
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def to_english(page: Page) -> None:
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")


def test_a_dashboard_number_opens_the_list_of_its_cases(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second = officers(ctx, 2)[-2:]
    injuries = [report_injury(users, first), report_injury(users, second)]
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    # The list of cases is in the navigation of those who read cases.
    page.goto("/")
    page.click("#nav-instances")
    expect(page.locator("h1")).to_have_text("流程事项列表")
    expect(page.locator("#nav-instances")).to_have_text("流程事项")
    page.goto("/dashboards/officers")
    number = page.locator(
        '#officer-open-steps tr[data-process="work_injury"][data-step="submit_injury_materials"] a'
    )
    expect(number).to_have_text("2")
    number.click()
    expect(page.locator("h1")).to_have_text("流程事项列表")
    expect(page.locator("#instances-total")).to_have_text("共 2 件")
    rows = page.locator("#instances tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-instance", str(injuries[1]))
    expect(rows.first).to_contain_text("工伤处理")
    expect(rows.first).to_contain_text("提交工伤认定材料 · 崮山派出所")
    expect(rows.first).to_contain_text("北京时间")
    expect(page.locator("#filter-process")).to_have_value("work_injury")
    expect(page.locator("#filter-state")).to_have_value("open")
    shot(page, "17-cases-zh")
    # The archived filter: no archived injury yet.
    page.select_option("#filter-state", "archived")
    page.click("#apply-filters")
    expect(page.locator("#no-instances")).to_be_visible()

    page.goto("/instances?process=work_injury&step=submit_injury_materials&state=open")
    to_english(page)
    expect(page.locator("h1")).to_have_text("Cases")
    expect(page.locator("#nav-instances")).to_have_text("Cases")
    expect(page.locator("#instances tbody tr").first).to_contain_text("Work injury")
    expect(page.locator("#instances tbody tr").first).to_contain_text("Beijing time")
    shot(page, "17-cases-en")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#instances tbody tr")).to_have_count(2)
    no_sideways_scroll(page)
    shot(page, "17-cases-phone-en")


def an_officer_of_boyu(ctx: ServiceContext) -> str:
    with ctx.database.transaction() as session:
        session.execute(
            insert(OfficerModel).values(
                name="泊于辅警",
                village_code="by-v01",
                town="boyu",
                role="director_assistant",
                party_member=False,
                contract_number="T-BY-1",
                contract_start=date(2026, 1, 1),
                contract_end=date(2028, 12, 31),
                status="in_service",
                hired_at=ctx.clock.now(),
            )
        )
    return "泊于辅警"


def test_a_training_for_officers_chosen_by_name(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    officers(ctx, 13)  # with Boyu's, a list long enough for the find box
    boyu = an_officer_of_boyu(ctx)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    page.goto("/processes/training/start")
    for key in ("title", "place", "content"):
        page.fill(f"#in-{key}", PLAN[key])
    page.fill("#in-start_date", PLAN["start_date"])
    page.fill("#in-end_date", PLAN["end_date"])
    page.select_option("#in-cohort_town", "gushan")
    page.select_option("#in-cohort_untrained", "not_passed")
    boxes = page.locator("#field-cohort_officers label.check")
    expect(boxes).to_have_count(14)
    page.fill("#find-cohort_officers", "00007")
    expect(page.locator("#field-cohort_officers label.check:visible")).to_have_count(1)
    expect(page.locator("#field-cohort_officers label.check:visible").first).to_contain_text(
        "测试辅警00007（崮山镇"
    )
    boxes.filter(has_text="测试辅警00007").locator("input").check()
    expect(page.locator("#chosen-cohort_officers")).to_have_text("已选 1 项")
    # An officer of Boyu chosen for a Gushan training: refused beside the list, by name.
    page.fill("#find-cohort_officers", "泊于")
    boxes.filter(has_text=boyu).locator("input").check()
    expect(page.locator("#chosen-cohort_officers")).to_have_text("已选 2 项")
    shot(page, "17-cohort-zh")
    page.click("#start-process")
    error = page.locator("#error-in-cohort_officers")
    expect(error).to_contain_text(boyu)
    expect(error).to_contain_text("不在参训范围内")
    expect(page.locator("#chosen-cohort_officers")).to_have_text("已选 2 项")  # what was ticked stays
    shot(page, "17-cohort-refused-zh")
    boxes.filter(has_text=boyu).locator("input").uncheck()
    page.click("#start-process")
    expect(page.locator(".flash").first).to_contain_text("辅警培训")

    page.goto("/processes/training/start")
    to_english(page)
    expect(page.locator("#field-cohort_officers legend")).to_contain_text("Chosen officers")
    expect(page.locator("#in-cohort_untrained")).to_contain_text("Only officers without a passed result")
    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    shot(page, "17-cohort-phone-en")


def test_the_officer_page_reads_as_cards_on_a_phone(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    officer = officers(ctx, 1)[-1]
    add_history(ctx, [(officer, "2026-09", "competent"), (officer, "2026-10", "excellent")])
    report_injury(users, officer)
    page = pages.new()
    page.set_viewport_size(PHONE)
    login(page, "bureau")
    page.goto(f"/officers/{officer}")
    for table in ("#officer-appraisals", "#officer-injuries", "#officer-contracts"):
        row = page.locator(f"{table} tbody tr").first
        expect(row).to_be_visible()
        # A card: the row is a column of labelled lines, the table fits the screen, no head row shown.
        assert row.evaluate("r => getComputedStyle(r).flexDirection") == "column", table
        box = page.locator(table).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], table
        expect(page.locator(f"{table} thead")).to_be_hidden()
    label = page.locator("#officer-appraisals tbody tr td").first
    assert "月份" in label.evaluate("td => getComputedStyle(td, '::before').content")
    no_sideways_scroll(page)
    shot(page, "17-officer-cards-phone-zh")
    to_english(page)
    no_sideways_scroll(page)
    label = page.locator("#officer-injuries tbody tr td").first
    assert "Date of the injury" in label.evaluate("td => getComputedStyle(td, '::before').content")
    shot(page, "17-officer-cards-phone-en")
    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.locator("#officer-appraisals thead")).to_be_visible()
    shot(page, "17-officer-cards-desktop-en")
