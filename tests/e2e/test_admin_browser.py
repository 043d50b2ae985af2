"""An admin adds a user and a village through the administration pages (issue 13, point 6), in Chinese and
in English, and the pages fit a phone. Screenshots: 40-admin-*.png."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages, login, shot


def fits_a_phone(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    shot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def add_user(page: Page, username: str, name: str, password: str, lang: str) -> None:
    page.click("#nav-admin")
    page.click("#admin-users-link")
    page.click("#new-user")
    page.fill("#in-username", username)
    page.fill("#in-display_name", name)
    page.fill("#in-password", "short1")
    page.check("#membership-finance input[name=departments]")
    page.check("#role-auditor")
    page.click("#save-user")
    # Refused by the password policy: the page says why, and keeps what was typed and ticked.
    expect(page.locator("#field-password .field-error")).to_be_visible()
    expect(page.locator("#in-display_name")).to_have_value(name)
    expect(page.locator("#membership-finance input[name=departments]")).to_be_checked()
    shot(page, f"40-admin-user-refused-{lang}")
    page.fill("#in-password", password)
    page.click("#save-user")
    expect(page.locator(".flash.ok")).to_contain_text(name)
    expect(page.locator("h1")).to_have_text(name)
    shot(page, f"40-admin-user-created-{lang}")
    fits_a_phone(page, f"40-admin-user-phone-{lang}")
    page.click("#admin-links a:nth-child(2)")
    row = page.locator("#users tr", has_text=name)
    expect(row).to_contain_text("财政金融局" if lang == "zh" else "Finance Bureau")
    shot(page, f"40-admin-users-{lang}")
    fits_a_phone(page, f"40-admin-users-phone-{lang}")


def add_village(page: Page, name_zh: str, name_en: str, households: str, lang: str) -> None:
    page.click("#nav-admin")
    page.click("#admin-register-link")
    page.click("#new-village")
    page.fill("#in-name_zh", name_zh)
    page.fill("#in-name_en", name_en)
    page.select_option("#in-town", "boyu")
    page.select_option("#in-kind", "community")
    page.fill("#in-households", households)
    page.fill("#in-effective_from", "2026-11-01")
    page.fill("#in-reason", "新设社区" if lang == "zh" else "New community")
    shot(page, f"40-admin-village-form-{lang}")
    page.click("#save-village")
    expect(page.locator(".flash.ok")).to_contain_text("2")
    expect(page.locator("#village-history tr.version")).to_have_count(1)
    # The change from a date: fewer households from 20 November, one post; the history keeps both.
    page.fill("#in-households", "900")
    page.fill("#in-effective_from", "2026-11-20")
    page.click("#save-village")
    expect(page.locator("#village-history tr.version")).to_have_count(2)
    expect(page.locator("#village-history tr.version .posts").first).to_have_text("1")
    shot(page, f"40-admin-village-history-{lang}")
    fits_a_phone(page, f"40-admin-village-history-phone-{lang}")


def test_an_admin_adds_a_user_and_a_village_in_both_languages(pages: Pages) -> None:
    page = pages.new()
    login(page, "admin")
    add_user(page, "zhou", "财政金融局 周会计", "Kuai-Ji-Mi-Ma-2026", "zh")
    add_village(page, "新港社区", "Xingang Community", "1200", "zh")
    page.click("#admin-links a:nth-child(4)")
    expect(page.locator("#register-summary")).to_contain_text("共设辅警 47 名")
    page.fill("#in-on", "2026-11-10")
    page.click("#show-register")
    expect(page.locator("#register-summary")).to_contain_text("2026-11-10 的登记册")
    expect(page.locator("#register-summary")).to_contain_text("共设辅警 48 名")
    shot(page, "40-admin-register-as-of-zh")
    fits_a_phone(page, "40-admin-register-phone-zh")

    page.click("#switch-language")
    add_user(page, "wu", "Finance Clerk Wu", "Clerk-Pass-2026x", "en")
    add_village(page, "东港社区", "Donggang Community", "1500", "en")
    page.click("#admin-links a:nth-child(4)")
    expect(page.locator("#register-summary")).to_contain_text("48 officer posts")
    expect(page.locator("#villages")).to_contain_text("Donggang Community")
    shot(page, "40-admin-register-en")
    page.click("#admin-links a:nth-child(3)")
    expect(page.locator("#departments")).to_contain_text("Finance Bureau")
    fits_a_phone(page, "40-admin-departments-phone-en")

    # The new user signs in with the password the admin set.
    other = pages.new()
    other.goto("/login")
    other.fill("#username", "zhou")
    other.fill("#password", "Kuai-Ji-Mi-Ma-2026")
    other.click("#login-submit")
    expect(other.locator(".who")).to_have_text("财政金融局 周会计")
