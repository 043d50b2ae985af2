"""The pages answer bad input with their own pages, never a 500 (issue 12, point 1).

Before: ids beyond the database's INTEGER, a page number past 64 bits, a month in year 1 and a username
longer than its column each answered 500. The pages parse ids, pages and months with the API's fields
(service/api/fields.py).
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web_units.browser_session import csrf, web_login

BEYOND = 2**64  # past SQLite's integers too (these page tests run on SQLite), as 2**31 is past PostgreSQL's


@pytest.mark.parametrize(
    ("who", "url", "statuses"),
    [
        ("auditor", f"/instances/{BEYOND}", {404}),
        ("bureau", f"/dashboards/campaigns/{BEYOND}", {404}),
        ("bureau", f"/dashboards/campaigns?campaign={BEYOND}", {200}),
        ("auditor", f"/audit?instance_id={BEYOND}", {200, 422}),
        ("designer", f"/incidents?instance_id={BEYOND}", {200}),
        ("bureau", "/queues/police_bureau?page=999999999999999999999", {200}),
        ("bureau", "/dashboards/appraisal?until=0001-01", {422}),
        ("bureau", "/dashboards/appraisal?until=9999-12", {422}),
        ("bureau", "/dashboards/appraisal?until=2025-03", {200}),  # its year reaches back before 2025
        ("bureau", "/queues/police_bureau?q=a%00b", {422}),
    ],
)
def test_bad_arguments_answer_a_page(app: Flask, who: str, url: str, statuses: set[int]) -> None:
    response = web_login(app, who).get(url)
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "服务器内部错误" not in page and "Traceback" not in page
    if response.status_code == 422 and "until=" in url:
        assert "2025-01" in page and "2099-12" in page  # the month range, said plainly
    if "audit?" in url:
        assert "2147483647" in page


@pytest.mark.parametrize("username", ["x" * 80, "a\u0000b"], ids=["long", "nul"])
def test_the_login_form_refuses_an_impossible_username_with_its_page(app: Flask, username: str) -> None:
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": "whatever", "csrf_token": csrf(client, "/login")}
    )
    assert response.status_code in (401, 422) and response.mimetype == "text/html"
    assert "服务器内部错误" not in response.get_data(as_text=True)
