"""Month-end helpers of the bulk scoring table in the browser (issue 15, point 1), at 1366x768 in Chinese.

The Gushan town government's clerk has 40+ officers to score: types one score, presses 全部填满分 (only the
empty cells get their maxima), picks the committee's opinion on the first row and fills it down the column,
submits, and the month is done. The police station's clerk does the same month in Excel: downloads the
sheet with full marks through the page, lowers one score and types one too many, uploads it: the file is
refused whole with the row and column named; corrected and uploaded again, every row is completed with
成功 on its row. Without JavaScript, 全部填满分 is done by the server. Screenshots: 15-bulk-fill-*.png and
15-bulk-excel-*.png."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from service.context import ServiceContext
from service.usecases.appraisal import start_month
from tests.api.appraisal_steps import add_officers, seed
from tests.e2e.conftest import SCREENSHOTS, Pages, login, shot
from tests.e2e.test_bulk_scoring_browser import DESKTOP, page_fits

TOWN = "/bulk/town_gov:gushan/town_score"
STATION = "/bulk/police_station:gushan/station_score"


def test_a_town_clerk_fills_full_marks_and_fills_down(pages: Pages, ctx: ServiceContext) -> None:
    seed(ctx)
    add_officers(ctx, 20)
    start_month(ctx, "2026-11", "bureau_head")
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_gov")
    page.goto(TOWN)
    rows = page.locator("#bulk-table tbody tr")
    count = rows.count()
    assert count >= 40
    first = rows.nth(0).locator("input.bulk-number")
    first.nth(0).fill("12")  # what the clerk typed is kept
    expect(page.locator("#bulk-fill-max")).to_have_text("全部填满分")
    page.click("#bulk-fill-max")
    expect(page.locator("#bulk-fill-status")).to_have_text(
        f"已为 {count * 8 - 1} 个空格填入满分，请核对后提交"
    )
    expect(first.nth(0)).to_have_value("12")
    expect(first.nth(1)).to_have_value("15")
    expect(rows.nth(count - 1).locator("input.bulk-number").nth(7)).to_have_value("10")
    expect(rows.nth(1).locator("td.kind-text input")).to_have_value("")  # a comment has no maximum
    # The committee's opinion: chosen on the first row, filled down the column.
    opinion = rows.nth(0).locator("select")
    opinion.select_option(label="基本满意")
    rows.nth(2).locator("select").select_option(label="不满意")  # chosen already: not overwritten
    down = page.locator('th.bulk-col[data-field="village_committee_opinion"] button.bulk-fill-down')
    expect(down).to_have_text("向下填充")
    assert down.get_attribute("aria-label") == "向下填充“村委会意见”：用本列最上面已填的值填满下面的空格"
    down.click()
    expect(page.locator("#bulk-fill-status")).to_have_text(f"已在“村委会意见”列填入 {count - 2} 格")
    expect(rows.nth(1).locator("select")).to_have_value("basically_satisfied")
    expect(rows.nth(2).locator("select")).to_have_value("dissatisfied")
    expect(rows.nth(count - 1).locator("select")).to_have_value("basically_satisfied")
    page_fits(page)
    shot(page, "15-bulk-fill-zh")
    page.click("#bulk-submit")
    expect(page.locator(".flash")).to_contain_text(f"已办结 {count} 项")
    expect(page.locator("#bulk-empty")).to_be_visible()
    shot(page, "15-bulk-fill-done-zh")


def test_without_javascript_the_server_fills_full_marks(
    pages: Pages, browser: Browser, ctx: ServiceContext
) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "bureau_head")
    context = browser.new_context(base_url=pages.base_url, viewport=DESKTOP, java_script_enabled=False)
    pages.contexts.append(context)
    page = context.new_page()
    login(page, "gushan_station")
    page.goto(STATION)
    rows = page.locator("#bulk-table tbody tr")
    count = rows.count()
    rows.nth(0).locator("input.bulk-number").nth(0).fill("9")
    rows.nth(1).locator("input.bulk-number").nth(0).fill("x")  # wrong, but the clerk's: kept for the check
    page.click("#bulk-fill-max")
    expect(page.locator("#bulk-summary")).to_have_text(f"已为 {count * 9 - 2} 个空格填入满分，请核对后提交")
    expect(rows.nth(0).locator("input.bulk-number").nth(0)).to_have_value("9")
    expect(rows.nth(0).locator("input.bulk-number").nth(1)).to_have_value("10")
    expect(rows.nth(1).locator("input.bulk-number").nth(0)).to_have_value("x")
    expect(page.locator("#bulk-fill-down-1")).to_have_count(0)  # the script's buttons: not without it
    # Without scripts axe cannot run in the page (shot() would wait for it): the same page is checked with
    # them in the test above.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "15-bulk-fill-no-script-zh.png"), full_page=True)
    page.click("#bulk-submit")
    expect(page.locator("#bulk-summary")).to_contain_text(f"已办结 {count - 1} 项")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".field-error").first).to_contain_text("出勤与纪律")


def download(page: Page, link: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.click(link)
    done = info.value
    assert done.suggested_filename.startswith("派出所日常管理考核-崮山派出所-"), done.suggested_filename
    target = tmp_path / "scores.xlsx"
    done.save_as(target)
    return target


def test_a_station_clerk_scores_the_month_in_excel(pages: Pages, ctx: ServiceContext, tmp_path: Path) -> None:
    seed(ctx)
    add_officers(ctx, 20)
    start_month(ctx, "2026-11", "bureau_head")
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_station")
    page.goto(STATION)
    count = page.locator("#bulk-table tbody tr").count()
    assert count >= 40
    expect(page.locator("#bulk-excel h2")).to_have_text("用 Excel 填写")
    shot(page, "15-bulk-excel-zh")
    path = download(page, "#bulk-download-full", tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.max_row == count + 1
    assert sheet.cell(row=1, column=6).value == "出勤与纪律（满分15）"
    assert sheet.cell(row=2, column=6).value == 15
    lowered = str(sheet.cell(row=2, column=3).value)
    sheet.cell(row=2, column=6, value=12)  # a point lost
    sheet.cell(row=4, column=7, value=11)  # above the item's maximum of 10
    book.save(path)

    page.set_input_files("#bulk-file", str(path))
    page.click("#bulk-upload")
    expect(page.locator("#bulk-upload-message")).to_have_text(
        "文件中有 1 处错误，未办结任何任务。请按下表修改后重新上传。"
    )
    problem = page.locator("#import-errors tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td")).to_have_text(
        ["4", "保障村（社区）务开展（满分10）", "“保障村（社区）务开展”不能大于 10"]
    )
    expect(page.locator("#bulk-table tbody tr")).to_have_count(count)  # nothing completed
    shot(page, "15-bulk-excel-refused-zh")

    # A file that is no workbook: one sentence, nothing completed.
    bad = tmp_path / "scores.csv"
    bad.write_bytes(b"name,score\n")
    page.set_input_files("#bulk-file", str(bad))
    page.click("#bulk-upload")
    expect(page.locator("#bulk-upload-message")).to_have_text(
        "未办结任何任务：无法读取该文件，请上传本页下载的 Excel 表格（.xlsx）"
    )
    expect(page.locator("#import-errors")).to_have_count(0)

    sheet.cell(row=4, column=7, value=10)
    book.save(path)
    page.set_input_files("#bulk-file", str(path))
    page.click("#bulk-upload")
    expect(page.locator("#bulk-upload-summary")).to_have_text(f"已按 Excel 表格办结 {count} 项")
    results = page.locator("#bulk-upload-rows tbody tr")
    expect(results).to_have_count(count)
    cells = results.first.locator("td")
    expect(cells.nth(0)).to_have_text("2")
    expect(cells.nth(1)).to_have_text(lowered)
    expect(cells.nth(3)).to_have_text("✓ 成功")
    expect(page.locator("#bulk-upload-rows .bulk-refused")).to_have_count(0)
    expect(page.locator("#bulk-empty")).to_be_visible()
    page_fits(page)
    shot(page, "15-bulk-excel-done-zh")
    page.click("#bulk-back")
    expect(page.locator("#tasks tbody tr")).to_have_count(0)
