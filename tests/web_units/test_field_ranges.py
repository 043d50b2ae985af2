"""A number field says its bounds in words: a salary with only a lower bound read "范围 0–" before."""

from __future__ import annotations

from flask import Flask

from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.visible_text import visible_text


def test_a_lower_bound_alone_reads_as_at_least(app: Flask, users: dict[str, User]) -> None:
    start_recruitment(users["bureau"])
    task_id = the_task(users["bureau"], "police_bureau", "draft_plan")["id"]
    client = web_login(app, "bureau")
    text = visible_text(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert "不小于 0" in text and "范围 0–" not in text
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(client, "/")})
    assert "At least 0" in visible_text(client.get(f"/tasks/{task_id}").get_data(as_text=True))
