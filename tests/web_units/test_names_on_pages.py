"""Names, not codes, on the pages people work with (issue 11, part 4), in Chinese and in English.

Each page is rendered through the Flask test client in both languages; its visible text must show the
department, process, person and village names and none of the codes (tests/web_units/visible_text.py).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.clean_form_steps import first_candidate_failed
from tests.api.recruitment_steps import the_task
from tests.conftest import User
from tests.web_units.browser_session import web_login
from tests.web_units.visible_text import assert_no_codes
from workflows.ports import ManualClock

FULL_WIDTH_PUNCTUATION = re.compile(r"[：（），。、；]")


def browser(app: Flask, username: str, lang: str) -> FlaskClient:
    client = web_login(app, username)
    with client.session_transaction() as session:
        session["lang"] = lang
    return client


def page_text(client: FlaskClient, url: str, lang: str) -> str:
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return assert_no_codes(response.get_data(as_text=True), lang)


@pytest.fixture
def hiring(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> dict[str, str]:
    """A campaign whose first candidate failed vetting: the bureau has the next candidate to vet,
    claimed by 公安分局 王警官, and the plan, announcement and exam tasks done."""
    first_candidate_failed(users, ctx, clock)
    bureau = users["bureau"]
    vetting = the_task(bureau, "police_bureau", "vet_candidate")
    bureau.post(f"/api/v1/tasks/{vetting['id']}/claim")
    return {"vetting": vetting["id"]}


QUEUE_NAMES = {
    "zh-CN": ("部门待办：公安分局", "岗位录用", "公安分局 王警官", "应聘人002（涝台村）"),
    "en": (
        "Department queue: Public Security Sub-bureau",
        "Hiring for a post",
        "公安分局 王警官",
        "应聘人002 (Laotai Village)",
    ),
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_queue_page_shows_names(app: Flask, hiring: dict[str, str], lang: str) -> None:
    client = browser(app, "bureau", lang)
    text = page_text(client, "/queues/police_bureau", lang)
    for name in QUEUE_NAMES[lang]:
        assert name in text, name
    done = page_text(client, "/queues/police_bureau?state=completed", lang)
    # The campaign's tasks are about the campaign, by its plan's title once there is one.
    assert done.count("2026年农村辅警招聘计划") == 2  # the announcement and the exam scores
    assert ("招聘流程" if lang == "zh-CN" else "Recruitment") in done
    if lang == "en":
        heading = next(line for line in text.splitlines() if line.startswith("Department queue"))
        assert not FULL_WIDTH_PUNCTUATION.search(heading)


TASK_META = {
    "zh-CN": ["流程：岗位录用", "办理环节：考察政审", "部门：公安分局", "已认领（公安分局 王警官）"],
    "en": ["Process: Hiring for a post", "Step: Vet candidate", "Department: Public Security Sub-bureau"],
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_task_page_meta_line_shows_names(app: Flask, hiring: dict[str, str], lang: str) -> None:
    with browser(app, "bureau", lang).get(f"/tasks/{hiring['vetting']}") as response:
        html = response.get_data(as_text=True)
    meta = re.search(r'<p class="meta" id="task-meta">(.*?)</p>', html, re.S)
    assert meta is not None
    text = assert_no_codes(meta.group(1), lang)
    flat = " ".join(text.split())
    for piece in TASK_META[lang]:
        assert piece in flat, (piece, flat)
    if lang == "en":
        assert "Claimed (公安分局 王警官)" in flat
        assert not FULL_WIDTH_PUNCTUATION.search(flat), flat


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_audit_search_shows_people_and_departments_by_name(
    app: Flask, hiring: dict[str, str], lang: str
) -> None:
    client = browser(app, "auditor", lang)
    text = page_text(client, "/audit?search=1", lang)
    assert "公安分局 王警官" in text and "党群工作部 李科长" in text
    assert ("公安分局" if lang == "zh-CN" else "Public Security Sub-bureau") in text
    # The codes stay the search keys: by username and department code.
    by_code = page_text(client, "/audit?actor=party&department_code=party_affairs", lang)
    assert "党群工作部 李科长" in by_code and "公安分局 王警官" not in by_code
