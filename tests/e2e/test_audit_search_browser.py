"""An auditor searches the history by what people know (issue 15, point 7): a display name (李科长), an
action's label (办结任务), a village and Beijing dates; exports the workbook and reads names, labels and
times with their zone; in Chinese and English, at 1366x768 and 390x844. Screenshots: 15-audit-*.png."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import OfficerModel, VillageModel
from tests.api.appraisal_steps import seed
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def history(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> tuple[str, str]:
    """A recruitment's plan drafted by the bureau and returned by 李科长 at 23:30 on 26 November (Beijing
    time); a month's appraisals started for every officer half an hour into the 27th. The Chinese and
    English name of a village."""
    start_recruitment(users["bureau"])
    complete(users["bureau"], "police_bureau", "draft_plan", {"plan_title": "计划甲", "monthly_salary": 4000})
    clock.advance(datetime(2026, 11, 26, 15, 30, tzinfo=UTC) - clock.now())
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬偏低"})
    clock.advance(timedelta(hours=1))  # 00:30 on the 27th in Beijing
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    with ctx.database.reading() as session:
        code = session.scalars(select(OfficerModel.village_code).order_by(OfficerModel.id).limit(1)).one()
        village = session.get(VillageModel, code)
        assert village is not None
        return village.name_zh, village.name_en


def fits(page: Page, name: str) -> None:
    """At 390x844 the page does not scroll sideways (the results scroll in their own box)."""
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    shot(page, name)
    page.set_viewport_size(DESKTOP)


def search(page: Page, **fields: Any) -> None:
    page.goto("/audit")
    for selector, value in fields.items():
        if selector == "actions":
            page.select_option("#f-actions", label=value)
        else:
            page.fill(f"#f-{selector.replace('_', '-')}", value)
    page.click("#audit-search")
    expect(page.locator("#audit-total")).to_be_visible()


def column(page: Page, index: int) -> list[str]:
    return [
        text.strip()
        for text in page.locator(f"#audit-events tr.event > td:nth-child({index})").all_inner_texts()
    ]


def workbook(page: Page) -> list[tuple[Any, ...]]:
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = download.value.path()
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_an_auditor_searches_by_names_labels_villages_and_days(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    village_zh, village_en = history(users, ctx, clock)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "auditor")

    # By display name: 李科长 is the user ``party``; the page shows names, not codes.
    search(page, person="李科长")
    actors = column(page, 3)
    assert actors and set(actors) == {"党群工作部 李科长"}
    assert set(column(page, 6)) <= {"党群工作部", ""}
    shot(page, "15-audit-person-zh")

    # By action label, chosen from the list; the newest first.
    search(page, actions="办结任务")
    assert column(page, 4) == ["办结任务", "办结任务"]
    assert column(page, 3) == ["党群工作部 李科长", "公安分局 王警官"]
    shot(page, "15-audit-label-zh")
    fits(page, "15-audit-label-phone-zh")

    # By village and Beijing days: the month's appraisal of its officers, started on the 27th in Beijing.
    search(page, village=village_zh, since="2026-11-27", until="2026-11-27")
    subjects = column(page, 5)
    assert subjects and all(village_zh in subject for subject in subjects)
    search(page, village=village_zh, since="2026-11-26", until="2026-11-26")
    expect(page.locator("#audit-total")).to_have_text("共 0 条")
    search(page, village=village_zh, since="2026-11-27", until="2026-11-27")
    shot(page, "15-audit-village-zh")

    # The workbook of that search: the zone on every time, names and labels beside the codes.
    table = workbook(page)
    assert table[0][:6] == (
        "序号",
        "时间（北京时间）",
        "操作人",
        "操作人账号（代码）",
        "操作",
        "操作（代码）",
    )
    assert len(table) - 1 == len(subjects)
    assert all(str(row[1]).startswith("2026-11-27T") and str(row[1]).endswith("+08:00") for row in table[1:])
    assert {"启动流程", "生成待办"} <= {row[4] for row in table[1:]}

    # In English: the same search by the label typed in English, and the workbook in English.
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    search(page, action_label="Task completed", person="李科长")
    assert column(page, 4) == ["Task completed"]
    expect(page.locator("label[for=f-person]")).to_have_text("Actor's name")
    shot(page, "15-audit-label-en")
    fits(page, "15-audit-label-phone-en")
    search(page, village=village_en, since="2026-11-27", until="2026-11-27")
    assert len(column(page, 5)) == len(subjects)
    english = workbook(page)
    assert english[0][1] == "Time (Beijing time)"
    assert all(str(row[1]).endswith("+08:00") for row in english[1:])
    assert {"Process started"} <= {row[4] for row in english[1:]}
    shot(page, "15-audit-village-en")
