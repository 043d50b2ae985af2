"""Phones (USERS.md): every staff page is usable at 390 px without scrolling sideways, in both languages.

The top bar held every link on one line: on English pages, whose labels are longer, the sub-bureau's home
page was 588 px wide."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Pages, login, shot

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("username", ["bureau", "auditor", "gushan_station"])
def test_the_main_pages_fit_a_phone_in_both_languages(pages: Pages, username: str) -> None:
    page = pages.new()
    page.set_viewport_size(PHONE)
    login(page, username)
    for lang in ("zh", "en"):
        if lang == "en":
            page.click("#switch-language")
            page.wait_for_selector("html[lang=en]")
        links = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.pathname)")
        for path in ("/", *links):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{username} {lang} {path}: {width}px wide"
        shot(page, f"phone-home-{username}-{lang}")
