"""The month's results list is capped (appraisal_results.MAX_ROWS): past the cap the page says so, never
showing a total that the table and its export silently do not hold."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from service.usecases import appraisal_results
from tests.api.appraisal_steps import seed
from tests.web_units.browser_session import web_login
from tests.web_units.test_dashboard_pages import record
from workflows.ports import ManualClock

MONTH = "2026-10"


def test_a_list_past_the_cap_says_how_many_it_shows(
    app: Flask, ctx: ServiceContext, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(ctx)
    with ctx.database.transaction() as session:
        officers = list(session.scalars(select(OfficerModel)))
        session.add_all([record(officer, MONTH, "competent", False, clock.now()) for officer in officers])
    client = web_login(app, "bureau_head")
    page = client.get(f"/appraisals/{MONTH}/results").get_data(as_text=True)
    assert f"共 {len(officers)} 人" in page and 'id="results-cut"' not in page

    monkeypatch.setattr(appraisal_results, "MAX_ROWS", 10)
    page = client.get(f"/appraisals/{MONTH}/results").get_data(as_text=True)
    assert f"共 {len(officers)} 人" in page and "仅列出前 10 人（导出亦同）" in page
    assert page.count('<tr data-grade="competent"') == 10
    sheet = load_workbook(io.BytesIO(client.get(f"/appraisals/{MONTH}/results.xlsx").data)).active
    assert sheet is not None and sheet.max_row == 12  # a title, the header and the ten rows the page names
