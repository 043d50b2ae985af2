"""Names, not codes, on the pages people work with (issue 11, part 4), in Chinese and in English.

Each page is rendered through the Flask test client in both languages; its visible text must show the
department, process, person and village names and none of the codes (tests/web_units/visible_text.py).
"""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.usecases.names import Name
from service.usecases.subjects import english_subject
from tests.api.appraisal_steps import seed
from tests.api.clean_form_steps import first_candidate_failed
from tests.api.recruitment_steps import attach, start_recruitment, the_task
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.test_excel_import import HEADERS, open_campaign, person, sheet
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
    # The campaign's tasks are about the campaign, by the name it was started with (never its key).
    assert done.count("2026年农村辅警招聘") == 3  # the plan, the announcement and the exam scores
    assert "2026-recruitment" not in done
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
    text = page_text(client, "/audit?search=1&action=task_completed", lang)  # newest first: the tasks done
    assert "公安分局 王警官" in text and "党群工作部 李科长" in text
    assert ("公安分局" if lang == "zh-CN" else "Public Security Sub-bureau") in text
    # A completed task's change: the task, its fields by title and its choices by label.
    for shown in (
        ("起草用人计划", "计划名称", "同意") if lang == "zh-CN" else ("Draft staffing plan", "Plan title")
    ):
        assert shown in text, shown
    # The codes stay the search keys: by username and department code.
    by_code = page_text(client, "/audit?actor=party&department_code=party_affairs", lang)
    assert "党群工作部 李科长" in by_code and "公安分局 王警官" not in by_code


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_home_page_names_the_departments(app: Flask, hiring: dict[str, str], lang: str) -> None:
    text = page_text(browser(app, "gushan_station", lang), "/", lang)
    assert ("崮山派出所" if lang == "zh-CN" else "Gushan Police Station") in text
    text = page_text(browser(app, "bureau", lang), "/", lang)
    assert ("公安分局" if lang == "zh-CN" else "Public Security Sub-bureau") in text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_campaign_dashboard_names_the_vacant_post(
    app: Flask, users: dict[str, User], hiring: dict[str, str], lang: str
) -> None:
    # The second and last candidate for the post fails too: the post stays vacant.
    bureau = users["bureau"]
    vetting = {"findings": ["criminal_record"], "notes": "有犯罪记录"}
    attach(bureau, hiring["vetting"])  # the vetting file the model requires
    bureau.post(f"/api/v1/tasks/{hiring['vetting']}/complete", {"data": vetting})
    client = browser(app, "bureau", lang)
    campaigns = page_text(client, "/dashboards/campaigns", lang)
    assert "2026年农村辅警招聘计划" in campaigns
    with client.get("/dashboards/campaigns/1") as response:
        page = response.get_data(as_text=True)
    text = assert_no_codes(page, lang)
    vacant = re.search(r'<p class="help" id="posts-vacant-list">(.*?)</p>', page, re.S)
    assert vacant is not None
    listed = assert_no_codes(vacant.group(1), lang)
    if lang == "zh-CN":
        assert listed.startswith("空缺岗位：") and "、涝台村 第1岗、" in listed
    else:
        assert listed.startswith("Vacant posts: ") and "; Laotai Village, post 1; " in listed
    assert "2026-recruitment" in text  # the business key is the campaign's own name for it


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_appraisal_dashboard_and_queues_name_towns_and_stations(
    app: Flask, users: dict[str, User], ctx: ServiceContext, lang: str
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    text = page_text(browser(app, "bureau", lang), "/dashboards/appraisal", lang)
    assert ("崮山镇" if lang == "zh-CN" else "Gushan Town") in text
    station = browser(app, "gushan_station", lang)
    queue = page_text(station, "/queues/police_station:gushan", lang)
    assert ("部门待办：崮山派出所" if lang == "zh-CN" else "Department queue: Gushan Police Station") in queue
    assert ("月度考核" if lang == "zh-CN" else "Monthly appraisal") in queue
    if lang == "en":  # an officer's month: 张建华 (Laotai Village) 2026-11, not 张建华（涝台村）2026-11
        subjects = [line for line in queue.splitlines() if line.endswith(" 2026-11")]
        english = re.compile(r" \([A-Z][A-Za-z ]+\) 2026-11$")
        assert subjects and all(english.search(line) for line in subjects), subjects


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_excel_import_lists_villages_by_name(
    app: Flask, users: dict[str, User], clock: ManualClock, lang: str
) -> None:
    campaign_id = open_campaign(users, clock)
    client = browser(app, "bureau", lang)
    page_text(client, "/excel", lang)
    # A clerk types the village's name (the code is still read): both rows go to 北海村 (gs-v05).
    today = clock.now().date()
    upload = sheet(HEADERS, [person(1, today), person(2, today, village_code="北海村")])
    with client.post(
        "/excel/applicants",
        data={
            "csrf_token": csrf(client, "/excel"),
            "campaign_id": str(campaign_id),
            "file": (io.BytesIO(upload), "a.xlsx"),
        },
    ) as response:
        assert response.status_code == 200
        text = assert_no_codes(response.get_data(as_text=True), lang)
    assert "导入人01" in text and "导入人02" in text
    assert text.count("北海村" if lang == "zh-CN" else "Beihai Village") == 2


FIELD_ERRORS = {
    "zh-CN": ["缺少必填项：计划名称", "缺少必填项：月薪标准（元）", "缺少必填项：计划名称、月薪标准（元）"],
    "en": [
        "Required: Plan title.",
        "Required: Monthly salary (CNY).",
        "Required: Plan title, Monthly salary (CNY).",
    ],
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_field_errors_name_fields_by_title_on_the_task_page(
    app: Flask, users: dict[str, User], lang: str
) -> None:
    start_recruitment(users["bureau"])
    task = the_task(users["bureau"], "police_bureau", "draft_plan")
    client = browser(app, "bureau", lang)
    url = f"/tasks/{task['id']}"
    with client.post(
        url, data={"csrf_token": csrf(client, url), "plan_title": "", "remarks": "x"}
    ) as response:
        assert response.status_code == 422
        text = assert_no_codes(response.get_data(as_text=True), lang)
    for message in FIELD_ERRORS[lang]:
        assert message in text, (message, text)
    assert "plan_title" not in text and "monthly_salary" not in text
    if lang == "en":
        errors = [line for line in text.splitlines() if "Required" in line]
        assert errors and not any(FULL_WIDTH_PUNCTUATION.search(line) for line in errors), errors


def test_a_welfare_reports_subject_reads_in_english() -> None:
    villages = {"崮山后村": Name("崮山后村", "Gushanhou Village")}
    assert (
        english_subject("张建华（崮山后村）因公受伤 2026-11-20", villages)
        == "张建华 (Gushanhou Village) injury on duty, 2026-11-20"
    )
    death = english_subject("张建华（崮山后村）因公牺牲 2026-11-28", villages)
    assert death.endswith("death on duty, 2026-11-28")
