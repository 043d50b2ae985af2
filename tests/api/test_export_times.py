"""The appraisal report's exports show when a veto and a grade were decided, in Beijing time with the
zone named in the header (issue 11, part 5), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from service.context import ServiceContext
from tests.api.appraisal_steps import decide_vetoes, score_all, seed
from tests.api.test_appraisal import MONTH, confirm_all
from tests.conftest import User
from workflows.ports import ManualClock


def test_the_month_report_exports_decision_times_in_beijing_time(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    bureau = users["bureau"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users)
    decide_vetoes(users, set())
    # Confirmed at 17:30 UTC on 30 November: 01:30 on 1 December in Beijing, another day.
    clock.advance(datetime(2026, 11, 30, 17, 30, tzinfo=clock.now().tzinfo) - clock.now())
    confirm_all(bureau)
    url = f"/api/v1/appraisals/reports/{MONTH}?town=gushan&format="
    response = bureau.client.get(url + "xlsx", headers=bureau._headers())
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    confirmed = header.index("确定时间（北京时间）")
    assert "否决时间（北京时间）" in header
    assert {row[confirmed] for row in rows[1:]} == {datetime(2026, 12, 1, 1, 30)}
    text = bureau.client.get(url + "csv", headers=bureau._headers()).get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row[table[0].index("确定时间（北京时间）")] for row in table[1:]} == {"2026-12-01 01:30:00"}
    assert clock.now() + timedelta(hours=8) == datetime(2026, 12, 1, 1, 30, tzinfo=clock.now().tzinfo)
