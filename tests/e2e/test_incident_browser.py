"""A designer finds a stalled instance on the incident page and resolves it (issue 10, item 3); the
sub-bureau, who started it, has neither the link nor the page. Screenshots: 19-incidents*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.web_units.stalling_model import JOIN, PROCESS_ID, PROCESS_NAME, deploy_and_stall


def test_designer_resolves_a_stalled_instance(pages: Pages, users: dict[str, User]) -> None:
    instance_id = deploy_and_stall(users)

    page = pages.new()
    login(page, "designer")
    page.click("#nav-incidents")
    expect(page.locator("h1")).to_have_text("异常事件")
    rows = page.locator("#incidents tr.incident")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".incident-kind")).to_have_text("流程停滞")
    expect(row.locator(".incident-element")).to_have_text(JOIN)
    expect(row.locator(".incident-process")).to_have_text(PROCESS_NAME)
    expect(row.locator(".incident-process")).not_to_contain_text(PROCESS_ID)
    expect(row.locator(".incident-message")).to_contain_text("它等待的分支已不会到达")
    expect(row.locator(".incident-actor")).to_have_text("公安分局 王警官")
    expect(row.locator(".incident-instance a")).to_have_text(f"#{instance_id}")
    shot(page, "19-incidents")

    # The instance page says the same at its top, and leads back here.
    row.locator(".incident-instance a").click()
    alert = page.locator("#instance-incidents")
    expect(alert).to_contain_text("流程停滞")
    expect(alert).to_contain_text(JOIN)
    page.click("#handle-incidents")

    # The note is required: the browser does not send the form without it.
    page.locator("#incidents tr.incident button").click()
    expect(page.locator("#incidents tr.incident")).to_have_count(1)
    assert page.locator("#incidents tr.incident textarea").evaluate("t => !t.validity.valid")
    page.fill("#incidents tr.incident textarea", "模型已改为排他合并并重新部署，实例已终止")
    page.locator("#incidents tr.incident button").click()
    expect(page.locator(".flash.ok")).to_contain_text("已处理")
    expect(page.locator("#no-incidents")).to_have_text("没有未处理的异常事件。")
    shot(page, "19-incidents-resolved")
    page.check("#include-resolved")
    page.click("#incident-filter")
    expect(page.locator("#incidents .incident-resolution")).to_contain_text("流程设计 吴工")

    # Phones: the list fits 390 px without scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "19-incidents-phone")

    bureau = pages.new()
    login(bureau, "bureau")
    expect(bureau.locator("#nav-incidents")).to_have_count(0)
    response = bureau.goto("/incidents")
    assert response is not None and response.status == 403
    expect(bureau.locator(".error")).to_contain_text("只有流程设计人员和系统管理员")
