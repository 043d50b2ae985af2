"""A queue's search and sort cover the whole queue, not only the page on screen."""

from __future__ import annotations

from flask import Flask

from tests.conftest import User
from tests.web_units.browser_session import web_login


def test_search_and_sort_apply_to_the_whole_queue(app: Flask, users: dict[str, User]) -> None:
    bureau = users["bureau"]
    for key, subject in (("q-1", "甲村计划"), ("q-2", "乙村计划"), ("q-3", "丙村计划")):
        users["bureau_head"].post(  # recruitment.bpmn: the bureau's head starts a campaign
            "/api/v1/instances",
            {"process_id": "recruitment", "business_key": key, "data": {"subject": subject}},
            expect=201,
        )
    found = bureau.get("/api/v1/queues/police_bureau/tasks?per_page=1&q=丙村")
    assert found["total"] == 1 and found["items"][0]["subject"] == "丙村计划"
    everything = bureau.get("/api/v1/queues/police_bureau/tasks?per_page=1&q=计划")
    assert everything["total"] == 3
    bureau.get("/api/v1/queues/police_bureau/tasks?sort=nonsense", expect=422)
    page = web_login(app, "bureau").get("/queues/police_bureau?q=乙村&page=x&sort=due")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "乙村计划" in text and "甲村计划" not in text
