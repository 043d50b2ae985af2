"""The instance page for people (issue 11, point 8): the data under titles with labels and names, the raw
JSON only for designers and auditors, the history by display name, action and what was recorded."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.appraisal_steps import rubric, seed, tasks_of
from tests.api.clean_form_steps import RETURN_REASON, VETTING_NOTES, first_candidate_failed
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from tests.model_steps import bundle, process, script, start
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.visible_text import assert_no_codes, visible_text
from workflows.ports import ManualClock

VETO_REASON = "本月发生群众投诉且未及时处置"
# A key as JSON writes it (the page keeps keys only in data-key attributes, for tests and scripts).
RAW_KEYS = re.compile(r'"(plan_title|veto_reason|village_code|station_items|candidate)"\s*:')


def page_of(client: FlaskClient, instance_id: int, lang: str = "zh-CN") -> str:
    if lang == "en":
        client.post("/language", data={"lang": "en", "csrf_token": csrf(client, "/")})
    response = client.get(f"/instances/{instance_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def section(page: str, element_id: str) -> str:
    """The visible text of the element with ``element_id`` (up to the next heading of the page)."""
    start = page.index(">", page.index(f'id="{element_id}"')) + 1
    end = page.find("<h2>", start)
    return visible_text(page[start:end] if end > 0 else page[start:])


def everything_opened(page: str) -> str:
    """The page with every <details> open: what a person sees after unfolding each part."""
    return re.sub(r"<details(?![^>]*\bopen\b)", "<details open", page)


def assert_people_view(page: str, lang: str) -> str:
    """No raw JSON and no code anywhere a person can read, unfolded or not; return the visible text."""
    assert 'id="raw-data"' not in page and 'id="instance-data-json"' not in page
    assert RAW_KEYS.search(html.unescape(page)) is None
    text = assert_no_codes(everything_opened(page), lang)
    assert "task_completed" not in text and "instance_started" not in text
    if lang == "en":  # English punctuation after English words ("Status: ", not "Status：")
        assert re.search(r"[A-Za-z)]\s*[：，、；]", text) is None, text
    return text


# -- recruitment --------------------------------------------------------------------------------------------


@pytest.fixture
def recruitment(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> dict[str, Any]:
    """A campaign with its plan returned once then approved, and a post whose first candidate failed
    vetting for bad credit."""
    bureau = users["bureau"]
    first_candidate_failed(users, ctx, clock)
    # A plan returned, in a campaign of its own: its history shows who returned it and why.
    returned = start_recruitment(bureau, key="2027-recruitment")
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "2027年计划", "monthly_salary": 3900})
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": RETURN_REASON})
    auditor = users["auditor"]
    found = {
        (i["process_id"], i["business_key"]): i["id"]
        for i in auditor.get("/api/v1/instances?per_page=200")["items"]
    }
    return {
        "returned": returned["id"],
        "campaign": found[("recruitment", "2026-recruitment")],
        "post": found[("post_hiring", "2026-recruitment/gs-v04/1")],
        "application": next(i for (process, _key), i in found.items() if process == "applicant_screening"),
    }


def test_recruitment_data_is_titled_and_labelled_in_chinese(app: Flask, recruitment: dict[str, Any]) -> None:
    page = page_of(web_login(app, "bureau"), recruitment["campaign"])
    text = assert_people_view(page, "zh-CN")
    assert text.removeprefix("跳到正文\n").startswith("一村一辅警工作流") and "招聘流程" in text  # by name
    data = section(page, "instance-data")
    for expected in ("计划名称\n2026年农村辅警招聘计划", "月薪标准（元）\n4200", "审核意见\n同意"):
        assert expected in data, data
    # The plan as a table with column titles; villages and towns by name.
    assert "\n用人计划\n各村（社区）岗位\n" in data
    columns = ("村（社区）", "所属镇", "编制", "编制依据", "在岗人数", "空缺", "计划招聘人数", "调整理由")
    for column in columns:
        assert f"\n{column}\n" in data
    # The quota and its grounds, nobody in service, both posts vacant and planned.
    assert "逍遥社区\n泊于镇\n2\n每个行政村（社区）设1名辅警；1000户以上社区增设1名\n0\n2\n2\n" in data
    assert "报名截止时间\n2026-12-06 00:00 北京时间" in data or "报名截止时间\n" in data
    assert re.search(r"报名截止时间\n\d{4}-\d\d-\d\d \d\d:\d\d 北京时间", data), data
    # The exam scores as a table, the ranking per village by name.
    assert "考试成绩" in data and "涝台村\n2" in data
    # The history: display names, action labels, the task and what was submitted under its titles.
    history = section(page, "instance-history")
    assert "公安分局 王警官" in history and "办结任务" in history and "起草用人计划" in history
    assert "计划名称\n2026年农村辅警招聘计划" in history
    assert "财政金融局 张科长" in history and "确认经费保障" in history and "财政金融局" in history
    assert "系统" in history and "执行服务任务" in history


def test_a_return_is_shown_with_its_reason_and_by_whom(app: Flask, recruitment: dict[str, Any]) -> None:
    page = page_of(web_login(app, "party"), recruitment["returned"])
    assert_people_view(page, "zh-CN")
    history = section(page, "instance-history")
    assert "党群工作部 李科长" in history and "审核用人计划及薪酬" in history
    assert f"审核意见\n退回修改\n理由\n{RETURN_REASON}" in history, history
    assert "所走分支" in history  # the gateway by the name of the path it took


def test_recruitment_page_in_english(app: Flask, recruitment: dict[str, Any]) -> None:
    page = page_of(web_login(app, "bureau"), recruitment["campaign"], "en")
    text = assert_people_view(page, "en")
    data = section(page, "instance-data")
    assert "\nStaffing plan\nPosts per village\n" in data and "\nPosts to recruit\n" in data
    assert "Xiaoyao Community" in data or "Boyu Town" in data
    assert "Decision\nApprove" in data, data
    assert re.search(r"Registration closes\n\d{4}-\d\d-\d\d \d\d:\d\d Beijing time", data), data
    history = section(page, "instance-history")
    assert "Draft staffing plan" in history and "Task completed" in history
    assert "计划名称" not in text


def test_the_post_shows_the_candidate_and_the_failed_vetting(app: Flask, recruitment: dict[str, Any]) -> None:
    page = page_of(web_login(app, "bureau"), recruitment["post"])
    assert_people_view(page, "zh-CN")
    data = section(page, "instance-data")
    assert "村（社区）\n涝台村" in data and "所属镇\n崮山镇" in data
    assert "当前考察人选" in data and "应聘人002" in data and "中共党员\n否" in data
    assert "发现的不得聘用情形\n有较为严重的个人不良信用记录" in data
    assert f"考察记录\n{VETTING_NOTES}" in data
    history = section(page, "instance-history")
    assert "考察政审" in history and "有较为严重的个人不良信用记录" in history


def test_an_application_shows_what_the_applicant_declared(app: Flask, recruitment: dict[str, Any]) -> None:
    # Only auditors and designers read a screening (no department has a task in it): the JSON stays folded.
    page = page_of(web_login(app, "auditor"), recruitment["application"])
    assert 'id="raw-data"' in page
    assert_no_codes(page, "zh-CN")
    data = section(page, "instance-data")
    assert "文化程度\n高中（中专）" in data and "国籍\n中国" in data and "威海市常住户口\n是" in data
    assert "申报的不得聘用情形\n（无）" in data and "资格审查结论" in data and "符合报名条件\n是" in data
    assert "资格审查" in visible_text(page)  # the process by name


# -- appraisal ----------------------------------------------------------------------------------------------


def one_for(user: User, department: str, spec_name: str, instance_id: int) -> dict[str, Any]:
    return next(t for t in tasks_of(user, department, spec_name) if t["instance_id"] == instance_id)


@pytest.fixture
def appraisal(app: Flask, users: dict[str, User], ctx: ServiceContext) -> int:
    """One officer's month: scored by the station and the town, vetoed with a reason, graded competent."""
    seed(ctx)
    bureau, station, gov = users["bureau"], users["gushan_station"], users["gushan_gov"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    first = tasks_of(station, "police_station:gushan", "station_score")[0]
    instance_id = int(first["instance_id"])
    station.post(
        f"/api/v1/tasks/{first['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.8)}},
    )
    town = one_for(gov, "town_gov:gushan", "town_score", instance_id)
    gov.post(
        f"/api/v1/tasks/{town['id']}/complete",
        {
            "data": {
                "town_items": rubric("town_score.json", "town_items", 0.8),
                "village_committee_opinion": "satisfied",
            }
        },
    )
    veto = one_for(gov, "town_gov:gushan", "veto_decision", instance_id)
    gov.post(f"/api/v1/tasks/{veto['id']}/complete", {"data": {"veto": True, "veto_reason": VETO_REASON}})
    grade = one_for(bureau, "police_bureau", "confirm_grade", instance_id)
    bureau.post(f"/api/v1/tasks/{grade['id']}/claim")
    bureau.post(
        f"/api/v1/tasks/{grade['id']}/complete",
        {"data": {"grade": "competent", "promotion_level": "keep", "reward": False, "notes": "本月表现尚可"}},
    )
    return instance_id


def test_appraisal_data_and_history_in_chinese(app: Flask, appraisal: int) -> None:
    page = page_of(web_login(app, "gushan_gov"), appraisal)
    text = assert_people_view(page, "zh-CN")
    assert "月度考核" in text
    data = section(page, "instance-data")
    assert "考核等次\n称职" in data and "晋升等级\n保持" in data and "给予奖励\n否" in data
    assert "建议考核等次\n" in data and "行使一票否决\n是" in data
    assert f"否决理由\n{VETO_REASON}" in data
    assert "所属镇\n崮山镇" in data and re.search(r"村（社区）\n\S+(村|社区)\n", data), data
    assert "决定人\n崮山镇政府 孙科员" in data  # the veto record names its maker by display name
    assert "考核完成期限\n2026-12-05（北京时间当日24时前）" in data, data
    # A rubric (a form's object) as grouped fields under the form's item titles; both forms title theirs
    # 考核评分项, so each says which form it is from.
    assert "派出所日常管理考核：考核评分项\n出勤与纪律\n" in data and "镇政府月度考核：考核评分项" in data
    assert "派出所考核得分\n" in data and "村委会意见\n满意" in data
    history = section(page, "instance-history")
    assert "崮山镇政府 孙科员" in history and "一票否决决定" in history
    assert f"否决理由\n{VETO_REASON}" in history
    assert "公安分局 王警官" in history and "认领任务" in history and "确定考核等次及晋升等级" in history
    assert "考核等次\n称职" in history
    assert "执行决策" in history and "建议考核等次" in history
    # A path to an unnamed element (a merging gateway) is not shown by its id.
    assert "_merge" not in history
    # The start data titled, in the bundle's order (the officer first).
    started = history[history.index("启动流程") : history.index("生成待办")]
    assert started.index("辅警姓名") < started.index("村（社区）") < started.index("考核完成期限"), started


def test_appraisal_in_english(app: Flask, appraisal: int) -> None:
    page = page_of(web_login(app, "gushan_gov"), appraisal, "en")
    text = assert_people_view(page, "en")
    assert "Monthly appraisal" in text
    data = section(page, "instance-data")
    assert "Appraisal grade\nCompetent" in data and "Town\nGushan Town" in data
    assert "Police station daily-management appraisal: Scoring items" in data
    assert f"Veto reason\n{VETO_REASON}" in data or VETO_REASON in data
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d Beijing time", data)
    history = section(page, "instance-history")
    assert "One-vote veto decision" in history and "Task completed" in history


@pytest.mark.parametrize("username", ["auditor", "designer"])
def test_designers_and_auditors_can_open_the_raw_json(app: Flask, appraisal: int, username: str) -> None:
    page = page_of(web_login(app, username), appraisal)
    raw = re.search(r'<details class="raw-data" id="raw-data">(.*?)</details>', page, re.S)
    assert raw is not None and "原始数据 (JSON)" in raw.group(1)
    assert '"veto_reason": "' in raw.group(1).replace("&#34;", '"')
    text = visible_text(page)  # folded: the titled fields are what the page shows
    assert "否决理由" in text and '"veto_reason"' not in text
    assert '<code class="muted">task_completed</code>' in page  # the action's code, for those who audit


def test_other_data_is_shown_under_its_key_never_hidden(
    app: Flask, appraisal: int, ctx: ServiceContext
) -> None:
    from service.persistence.models import InstanceModel
    from service.usecases.data_view import data_view
    from service.usecases.runner import InstanceRunner

    with ctx.database.reading() as session:
        instance = session.get(InstanceModel, appraisal)
        assert instance is not None
        specs = InstanceRunner(ctx, session, "system").specs_for(instance.definition_id)
        view = data_view(session, specs, "appraisal", {"grade": "excellent", "extra_note": "x", "_secret": 1})
    assert [(f["title_zh"], f["value_zh"], f["title_en"], f["value_en"]) for f in view["fields"]] == [
        ("考核等次", "优秀", "Appraisal grade", "Excellent")
    ]
    assert [(o["key"], o["title_zh"], o["value_zh"]) for o in view["other"]] == [
        ("extra_note", "extra_note", "x")
    ]


def test_a_key_nobody_titled_is_shown_under_its_key_in_other_data(app: Flask, users: dict[str, User]) -> None:
    """A model without data labels: what its script writes is kept on the page, under its key, last."""
    model = process(
        "untitled_data",
        script("write", "写入数据", 'note_count = 3\nflag = True\nlines = [{"qty": 2}]'),
        [("start", "write", None), ("write", "end", None)],
        name="无标签流程",
    )
    users["designer"].post("/api/v1/definitions", {"files": bundle(model)}, expect=201)
    instance = start(users["bureau"], "untitled_data", 201)
    page = page_of(web_login(app, "auditor"), instance["id"])
    data = section(page, "instance-data")
    assert data.startswith("其他数据\nflag\n是\nlines\nqty\n2\nnote_count\n3"), data
    english = section(page_of(web_login(app, "designer"), instance["id"], "en"), "instance-data")
    assert english.startswith("Other data\nflag\nYes"), english
