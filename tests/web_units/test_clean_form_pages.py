"""Issue 11 on the task page: a form opens with only its own values, never another task's answers."""

from __future__ import annotations

import re

from flask import Flask

from service.context import ServiceContext
from tests.api.clean_form_steps import (
    RETURN_REASON,
    VETTING_NOTES,
    first_candidate_failed,
    next_vetting,
    returned_then_approved,
    second_review,
)
from tests.api.recruitment_steps import attach, the_task
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock


def page(app: Flask, username: str, task_id: str) -> str:
    response = web_login(app, username).get(f"/tasks/{task_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None, name
    return found.group(1)


def assert_no_choice(html: str) -> None:
    assert re.search(r"<option [^>]*\bselected\b", html) is None
    assert re.search(r"<input type=\"checkbox\"[^>]*\bchecked\b", html) is None


def test_funding_page_after_a_return_opens_clean(app: Flask, users: dict[str, User]) -> None:
    returned_then_approved(users)
    html = page(app, "finance", the_task(users["finance"], "finance", "confirm_funding")["id"])
    assert 'name="decision"' in html
    assert_no_choice(html)
    assert textarea(html, "reason") == ""
    assert RETURN_REASON not in html


def test_second_review_page_opens_clean(app: Flask, users: dict[str, User]) -> None:
    second_review(users)
    html = page(app, "party", the_task(users["party"], "party_affairs", "review_plan")["id"])
    assert 'name="decision"' in html
    assert_no_choice(html)
    assert textarea(html, "reason") == ""


def test_next_candidate_vetting_page_opens_clean(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    campaign_id, failed, following = first_candidate_failed(users, ctx, clock)
    task_id = next_vetting(users["bureau"])["id"]
    html = page(app, "bureau", task_id)
    assert 'value="bad_credit"' in html
    assert_no_choice(html)
    assert textarea(html, "notes") == ""
    assert VETTING_NOTES not in html
    # Submitted as shown (nothing ticked), the candidate passes (its vetting file attached first).
    attach(users["bureau"], task_id)
    client = web_login(app, "bureau")
    response = client.post(
        f"/tasks/{task_id}",
        data={"notes": "未发现不得聘用情形", "csrf_token": csrf(client, f"/tasks/{task_id}")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = users["bureau"].get(f"/api/v1/campaigns/{campaign_id}")
    status = {a["id"]: a["status"] for a in report["applications"]}
    assert status[failed] == "vetting_failed" and status[following] != "vetting_failed"
