"""The instance page for people in a browser (issue 11, point 8): titled data, no JSON for staff, no code in
the text a person reads (every part unfolded), and a phone's 390 px without scrolling sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Pages, login, shot
from tests.web_units.test_instance_people_page import VETO_REASON, appraisal, recruitment
from tests.web_units.visible_text import codes_in

__all__ = ["appraisal", "recruitment"]  # the fixtures, shared with the page tests


def read_as_person(page: Page, lang: str, name: str) -> str:
    """Unfold every part, check the text a person reads and the phone width; return the text."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.inner_text("body")
    assert codes_in(text, lang) == [], text
    assert "原始数据 (JSON)" not in text and "Raw data (JSON)" not in text
    shot(page, f"{name}-{lang}")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide at 390px"
    shot(page, f"{name}-{lang}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    return text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_campaign_page_for_the_bureau(pages: Pages, recruitment: dict[str, Any], lang: str) -> None:
    page = pages.new()
    login(page, "bureau")
    if lang == "en":
        page.click("#switch-language")
    page.goto(f"/instances/{recruitment['campaign']}")
    text = read_as_person(page, lang, "instance-recruitment")
    if lang == "en":
        assert "Posts per village" in text and "Approve" in text
    else:
        assert "各村（社区）岗位" in text and "同意" in text and "公安分局 王警官" in text
    # The plan's table scrolls in its own box at 390 px, not the page.
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator("#instance-data .data-table").first
    assert box.evaluate("el => el.clientWidth") <= 390


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_appraisal_page_for_the_town(pages: Pages, appraisal: int, lang: str) -> None:
    page = pages.new()
    login(page, "gushan_gov")
    if lang == "en":
        page.click("#switch-language")
    page.goto(f"/instances/{appraisal}")
    text = read_as_person(page, lang, "instance-appraisal")
    assert VETO_REASON in text
    assert ("Competent" if lang == "en" else "称职") in text


def test_auditor_unfolds_the_raw_json(pages: Pages, appraisal: int) -> None:
    page = pages.new()
    login(page, "auditor")
    page.goto(f"/instances/{appraisal}")
    assert not page.locator("#instance-data-json").is_visible()
    page.click("#raw-data summary")
    assert '"veto_reason"' in page.inner_text("#instance-data-json")
    shot(page, "instance-appraisal-auditor-json")
