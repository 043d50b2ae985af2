"""Browser tests: the real app on loopback over a fresh SQLite database, driven by Playwright with Debian's
Chromium (/usr/bin/chromium, installed by .ci/run; AUXPOLICE_CHROMIUM names another binary; a browser is
never downloaded). Without it the tests are skipped, except when AUXPOLICE_REQUIRE_BROWSER=1 (CI): there
they fail.

Screenshots of the main pages go to test-output/screenshots/<name>.png for a reviewer to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import served
from tests.e2e import axe_check

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("AUXPOLICE_CHROMIUM", "/usr/bin/chromium"))  # Debian's package
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("AUXPOLICE_REQUIRE_BROWSER") == "1"
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """Browser tests run on SQLite only: they are about pages, the database suite covers PostgreSQL."""
    yield f"sqlite:///{tmp_path / 'auxpolice.db'}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"Debian's Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` "
            "(.ci/run does) to run the browser tests"
        )
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1, a thread per request, stopped after the test."""
    with served(app) as base:
        yield base


class Pages:
    """Fresh browser sessions (own cookies) on the live app; closed after the test."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list[BrowserContext] = []
        self.axe = axe_check.Watch()  # every page is checked by axe-core (issue 15, point 3)

    def new(self) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        self.axe.watch(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, live: str) -> Iterator[Pages]:
    opened = Pages(browser, live)
    try:
        yield opened
        opened.axe.check_unchecked()
    finally:
        opened.close()


def shot(page: Page, name: str) -> None:
    """A full-page screenshot of what the person sees now."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    axe_check.check_once(page)


def login(page: Page, username: str, screenshot: str | None = None) -> None:
    """Sign in through the login form with the test password of ``username`` (set by the app fixture)."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", f"pw-{username}")
    if screenshot:
        shot(page, screenshot)
    page.click("#login-submit")
    expect(page).not_to_have_url(re.compile(r"/login"))
