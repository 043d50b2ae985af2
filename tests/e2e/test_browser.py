"""What a person does in the browser: a station officer scores an officer (a validation error first, then
the fix), an auditor finds that task's history, the language switch is remembered per user, and the
sub-bureau uploads applicants as XLSX (a bad row refuses the whole file). Screenshots of each main page go
to test-output/screenshots/."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from service.usecases import excel_import
from tests.api.appraisal_steps import rubric, seed
from tests.api.recruitment_steps import approve_plan, publish, resident_id, start_recruitment
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start_month(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    seed(ctx)
    users["bureau_head"].post(
        "/api/v1/appraisals/months", {"month": clock.now().strftime("%Y-%m")}, expect=201
    )


def has_route(app: Flask, endpoint: str) -> bool:
    return endpoint in app.view_functions


def test_station_officer_scores_and_the_auditor_finds_the_history(
    app: Flask, pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    start_month(users, ctx, clock)
    page = pages.new()
    login(page, "gushan_station", screenshot="01-login")
    expect(page.locator("#queues")).to_be_visible()
    shot(page, "02-home")

    page.click("#queues a[href='/queues/police_station:gushan']")
    expect(page.locator("#tasks")).to_be_visible()
    shot(page, "03-queue")
    page.locator("#tasks a", has_text="派出所日常管理考核").first.click()
    expect(page.locator("h1")).to_have_text("派出所日常管理考核")
    task_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # One item above its maximum (15): refused, the error next to that field, everything typed kept.
    items = rubric("station_score.json", "station_items", 0.8)
    for key, value in items.items():
        page.fill(f"[name='station_items.{key}']", str(value))
    page.fill("[name='station_items.attendance_discipline']", "99")
    page.fill("[name='comment']", "本月驻村考勤良好")
    page.click("#complete")
    error = page.locator("#field-station_items-attendance_discipline .field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("15")
    expect(page.locator("#form-message")).to_be_visible()
    assert page.input_value("[name='station_items.attendance_discipline']") == "99"
    assert page.input_value("[name='station_items.dispute_mediation']") == str(items["dispute_mediation"])
    assert page.input_value("[name='comment']") == "本月驻村考勤良好"
    assert page.locator(".field-error").count() == 1
    shot(page, "04-task-with-errors")

    page.fill("[name='station_items.attendance_discipline']", "12")
    shot(page, "05-task")
    page.click("#complete")
    expect(page).to_have_url(re.compile(r"/queues/police_station:gushan$"))
    expect(page.locator(".flash")).to_contain_text("任务已办结")
    shot(page, "06-queue-after-completion")
    task = users["gushan_station"].get(f"/api/v1/tasks/{task_id}")
    assert task["state"] == "completed" and task["completed_by"] == "gushan_station"
    instance_id = task["instance_id"]

    # The auditor finds who scored what, and what the data was before.
    auditor = pages.new()
    login(auditor, "auditor")
    if has_route(app, "web.audit_search"):
        auditor.click("#nav-audit")
        auditor.click("details.audit-codes summary")  # the search by number and code is folded away
        auditor.fill("[name='instance_id']", str(instance_id))
        auditor.fill("[name='action']", "task_completed")
        auditor.click("#audit-search")
        events = auditor.locator("#audit-events")
        expect(events).to_contain_text("崮山派出所 刘警官")  # the scorer by name, the field by its title
        items = events.locator("table.change tr", has_text="考核评分项")
        expect(items).to_contain_text('"attendance_discipline":12')  # the fixed value, not the refused 99
        shot(auditor, "07-audit-history")
        auditor.click(f"#audit-events a[href='/instances/{instance_id}']")
    else:  # the auditor's search page is not there: the instance page has the history too
        auditor.goto(f"/instances/{instance_id}")
    expect(auditor.locator("h1")).to_contain_text(f"#{instance_id}")
    history = auditor.locator("#instance-history")
    expect(history).to_contain_text("崮山派出所 刘警官")  # the station's scorer, by display name
    shot(auditor, "08-instance")


def test_language_is_switched_and_remembered(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    start_month(users, ctx, clock)
    page = pages.new()
    login(page, "gushan_station")
    expect(page.locator("h1")).to_have_text("我的待办")
    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("My queues")
    expect(page.locator("#logout")).to_have_text("Log out")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "09-home-en")

    page.click("#queues a[href='/queues/police_station:gushan']")
    page.locator("#tasks a", has_text="Police station appraisal").first.click()
    expect(page.locator("h1")).to_have_text("Police station daily-management appraisal")
    expect(page.locator("label[for='in-station_items.attendance_discipline']")).to_contain_text(
        "Attendance and discipline"
    )
    shot(page, "10-task-en")

    # Remembered for the user, not only the session: log out, log in again, still English.
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login"))
    login(page, "gushan_station")
    expect(page.locator("h1")).to_have_text("My queues")
    other = pages.new()  # another browser, same user
    login(other, "gushan_station")
    expect(other.locator("h1")).to_have_text("My queues")
    other.click("#switch-language")
    expect(other.locator("h1")).to_have_text("我的待办")


def applicants_sheet(rows: list[dict[str, Any]]) -> bytes:
    """The downloadable template with ``rows`` filled in under its Chinese headers."""
    book = load_workbook(io.BytesIO(excel_import.template("applicants")))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    return saved(book)


def applicant(n: int, today: date, **changes: str) -> dict[str, Any]:
    birth = today.replace(year=today.year - 26) - timedelta(days=n)
    row = {
        "姓名": f"网页导入{n}",
        "身份证号": resident_id(n, birth),
        "出生日期": birth.isoformat(),
        "报考村（社区）": "北海村",  # by name, as clerks know it
        "国籍": "中国",
        "威海常住户口": "是",
        "学历": "高中",
        "身体健康": "是",
        "品行端正": "是",
        "优先条件": "退役士兵",
    }
    row.update(changes)
    return row


def saved(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page: Page, name: str, data: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.click("#upload")


def test_bureau_uploads_applicants_as_xlsx(
    app: Flask, pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    today = clock.now().date()
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]

    page = pages.new()
    login(page, "bureau")
    page.click("#nav-excel")
    expect(page.locator("h1")).to_have_text("Excel 导入")
    with page.expect_download() as download:
        page.click("#template-applicants")
    assert download.value.suggested_filename == "报名人员导入模板.xlsx"
    template = Path(download.value.path()).read_bytes()
    headers = [cell.value for cell in load_workbook(io.BytesIO(template)).worksheets[0][1]]
    assert headers[:4] == ["姓名", "证件类型", "身份证号", "出生日期"]
    shot(page, "11-excel")

    # Row 3 has an impossible birth date: the whole file is refused, nothing imported.
    bad = applicants_sheet(
        [applicant(1, today), applicant(2, today, 出生日期="1999-02-30"), applicant(3, today)]
    )
    page.select_option("#campaign", str(campaign_id))
    upload(page, "报名人员.xlsx", bad)
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("出生日期")
    expect(errors.first.locator("td").nth(2)).to_contain_text("1999-02-30")
    expect(page.locator("#import-message")).to_contain_text("未导入任何数据")
    shot(page, "12-excel-upload-errors")
    assert bureau.get(f"/api/v1/campaigns/{campaign_id}")["applications"] == []

    good = applicants_sheet([applicant(1, today), applicant(2, today), applicant(3, today, 身体健康="否")])
    upload(page, "报名人员.xlsx", good)
    expect(page.locator("#import-success")).to_contain_text("3")
    expect(page.locator("#imported tbody tr")).to_have_count(3)
    shot(page, "13-excel-upload-imported")
    applications = bureau.get(f"/api/v1/campaigns/{campaign_id}")["applications"]
    assert sorted(a["status"] for a in applications) == ["eligible", "eligible", "ineligible"]

    # In English, and again: rows and columns named in English, the rows now imported refused as repeats.
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    upload(page, "applicants.xlsx", bad)
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="Birth date").locator("td").first).to_have_text("3")
    expect(rows.filter(has_text="Already applied")).to_have_count(3)
    shot(page, "14-excel-upload-errors-en")
    assert len(bureau.get(f"/api/v1/campaigns/{campaign_id}")["applications"]) == 3
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    # Registration closes; the exam-scores task takes the score sheet it offers, filled in (0 to 100).
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    login(page, "bureau")  # eleven days on, the login token (12 hours) has expired
    page.goto("/queues/police_bureau")
    page.locator("#tasks a", has_text="录入考试成绩").click()
    page.click("#nav-scores-upload")
    with page.expect_download() as download:
        page.click("#scores-sheet")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    listed = list(book.worksheets[0].iter_rows(min_row=2))
    assert [line[1].value for line in listed] == ["网页导入1", "网页导入2"]  # the eligible ones
    for line, score in zip(listed, (150, 86.5), strict=True):
        line[2].value = score
    upload(page, "成绩.xlsx", saved(book))
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-errors tbody tr td").nth(1)).to_have_text("成绩")
    shot(page, "15-scores-upload-errors")
    listed[0][2].value = 91
    upload(page, "成绩.xlsx", saved(book))
    expect(page).to_have_url(re.compile(r"/queues/police_bureau$"))
    expect(page.locator(".flash")).to_contain_text("2")
    shot(page, "16-queue-after-scores")
    scored = bureau.get(f"/api/v1/campaigns/{campaign_id}")["applications"]
    assert sorted(a["score"] for a in scored if a["score"] is not None) == [86.5, 91]

    for endpoint, path, name in (
        ("web.campaigns_dashboard", "/dashboards/campaigns", "17-dashboard-campaigns"),
        ("web.appraisal_dashboard", "/dashboards/appraisal", "18-dashboard-appraisal"),
    ):
        if has_route(app, endpoint):
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            shot(page, name)
