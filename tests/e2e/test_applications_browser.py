"""The sub-bureau opens a campaign's applications from the campaign page, filters them by result and village,
downloads the Excel export of what it filtered, and reads the list in English and on a phone (issue 13,
point 4). Screenshots: 30-applications*.png."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.web_units.test_application_pages import campaign_with_applications
from workflows.ports import ManualClock


def test_the_bureau_filters_and_exports_the_applications(
    pages: Pages, users: dict[str, User], clock: ManualClock
) -> None:
    campaign_id, ids = campaign_with_applications(users, clock)
    page = pages.new()
    login(page, "bureau")
    page.goto(f"/dashboards/campaigns/{campaign_id}")
    page.click("#campaign-applications")
    expect(page.locator("h1")).to_contain_text("报名人员")
    rows = page.locator("#applications tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#age-reference")).to_have_text("年龄计算截止日期：2026-12-06")
    expect(rows.nth(1)).to_contain_text("护照 X*****678")
    expect(rows.nth(1)).to_contain_text("美国")
    expect(rows.nth(1)).to_contain_text("不具有中华人民共和国国籍")
    shot(page, "30-applications-zh")

    page.select_option("#filter-result", "ineligible")
    page.select_option("#filter-village", "gs-v04")
    page.locator("#application-filters button").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#applications-total")).to_have_text("共 2 人")
    for row in range(2):
        expect(rows.nth(row).locator(".result")).to_have_text("资格审查未通过")
    shot(page, "30-applications-filtered-zh")

    with page.expect_download() as download_info:
        page.click("#export-applications")
    download = download_info.value
    assert download.suggested_filename == "applications-2026-recruitment.xlsx"
    path = download.path()
    assert path is not None
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None
    exported = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert exported == [ids["passport"], ids["formula"]]

    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("h1")).to_contain_text("Applications")
    expect(rows).to_have_count(2)  # the filters are kept
    expect(rows.first).to_contain_text("Passport X*****678")
    expect(rows.first).to_contain_text("United States")
    expect(rows.first).to_contain_text("Not a national of the People's Republic of China")
    expect(page.locator("#filter-result")).to_have_value("ineligible")
    shot(page, "30-applications-filtered-en")

    page.select_option("#filter-result", "")
    page.select_option("#filter-village", "")
    page.locator("#application-filters button").click()
    expect(rows).to_have_count(3)
    shot(page, "30-applications-en")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "30-applications-phone-en")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "30-applications-phone-zh")
