"""Issue 11, point 2 on the task page: the grounds of the decision appear beside the form, in the page's
language, each panel a labelled section (id ``grounds``, ``data-panel`` per panel)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import add_officers, decide_vetoes, score_all, tasks_of
from tests.api.clean_form_steps import PLAN, RETURN_REASON, first_candidate_failed, next_vetting
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock


class _Panels(HTMLParser):
    """The visible text of each ``data-panel`` section of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.panels: dict[str, list[str]] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._open.append(dict(attrs).get("data-panel"))
            if self._open[-1]:
                self.panels[str(self._open[-1])] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        current = next((name for name in reversed(self._open) if name), None)
        if current and data.strip():
            self.panels[current].append(data.strip())


def page(client: FlaskClient, task_id: str) -> str:
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def panels(html: str) -> dict[str, str]:
    parser = _Panels()
    parser.feed(html)
    return {name: " | ".join(texts) for name, texts in parser.panels.items()}


def in_english(client: FlaskClient) -> FlaskClient:
    switched = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf(client, "/")})
    assert switched.status_code == 302
    return client


def test_the_plan_review_page_shows_the_plan_before_the_form_in_both_languages(
    app: Flask, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    complete(users["bureau"], "police_bureau", "draft_plan", PLAN)
    task_id = the_task(users["party"], "party_affairs", "review_plan")["id"]
    client = web_login(app, "party")
    html = page(client, task_id)
    assert html.index('id="grounds"') < html.index('class="task-form"')
    assert (
        '<section class="grounds-panel" data-panel="plan_table" aria-labelledby="grounds-plan_table">' in html
    )
    assert '<th scope="col">村（社区）</th>' in html and '<th scope="col" class="num">计划招聘</th>' in html
    plan = panels(html)["plan_table"]
    assert "用人计划 | 计划名称 | 2026年农村辅警招聘计划" in plan
    assert (
        "计划招聘总数 | 46" in plan
        and "新招人员每月工资合计 | 193,200 元" in plan
        and "新招人员全年工资合计 | 2,318,400 元" in plan
    )
    assert "崮山后村 | 崮山镇 | 1 | 0 | — | 1 | 1 | —" in plan  # quota, in service, who, vacant, planned
    english = panels(page(in_english(client), task_id))["plan_table"]
    assert "Staffing plan" in english and "Yearly wages of those recruited | 2,318,400 yuan" in english
    assert "Gushanhou Village | Gushan Town | 1 | 0 | — | 1 | 1 | —" in english
    assert "崮山后村" not in english


def test_the_redraft_page_shows_the_return_and_the_first_draft_shows_nothing(
    app: Flask, users: dict[str, User]
) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    client = web_login(app, "bureau")
    assert 'id="grounds"' not in page(client, the_task(bureau, "police_bureau", "draft_plan")["id"])
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": RETURN_REASON})
    task_id = the_task(bureau, "police_bureau", "draft_plan")["id"]
    note = panels(page(client, task_id))["return_note"]
    assert "退回人 | 党群工作部 李科长" in note and f"理由 | {RETURN_REASON}" in note
    assert re.search(r"退回时间 \| \d{4}-\d\d-\d\d \d\d:\d\d 北京时间", note), note
    english = panels(page(in_english(client), task_id))["return_note"]
    assert "Returned by department | Party and Mass Work Dept." in english
    assert "Decision | Return for revision" in english


def test_the_vetting_page_shows_the_candidate_and_the_rejected_one(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    first_candidate_failed(users, ctx, clock)
    task_id = next_vetting(users["bureau"])["id"]
    client = web_login(app, "bureau")
    shown = panels(page(client, task_id))
    assert list(shown) == ["application", "rejected_candidates"]
    assert (
        "姓名 | 应聘人002" in shown["application"] and "身份证号 | 371002********0028" in shown["application"]
    )
    assert (
        "应聘人001 | 371002********001X | 95 | 1 | 有较为严重的个人不良信用记录"
        in shown["rejected_candidates"]
    )
    english = panels(page(in_english(client), task_id))
    assert "Serious personal bad credit record" in english["rejected_candidates"]
    assert "Village applied for | Laotai Village, Gushan Town" in english["application"]


def test_the_veto_grade_and_escalation_pages_show_their_grounds(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    add_officers(ctx, 1)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) >= 2  # both scorings overdue: the heads are asked to follow them up
    (escalation,) = tasks_of(users["gushan_gov_head"], "town_gov:gushan", "town_escalation")
    head = web_login(app, "gushan_gov_head")
    overdue = panels(page(head, escalation["id"]))["overdue_task"]
    assert "逾期任务 | 镇政府月度考核" in overdue and "办理人 | 待认领" in overdue
    assert "完成期限 | 2026-12-05（北京时间当日24时前）" in overdue
    score_all(users)
    (veto,) = tasks_of(users["gushan_gov"], "town_gov:gushan", "veto_decision")
    town = web_login(app, "gushan_gov")
    shown = panels(page(town, veto["id"]))
    assert list(shown) == ["scoring_subject", "station_scores", "town_scores"]
    assert (
        "辅警 | 测试辅警00000" in shown["scoring_subject"]
        and "考核月份 | 2026年11月" in shown["scoring_subject"]
    )
    assert "出勤与纪律 | 14 | 15" in shown["station_scores"] and "合计 | " in shown["station_scores"]
    assert "港船管理 | 9 | 10" in shown["town_scores"]
    officer_id = int(users["gushan_gov"].get(f"/api/v1/tasks/{veto['id']}")["data"]["officer_id"])
    decide_vetoes(users, {officer_id})
    (grade,) = tasks_of(users["bureau"], "police_bureau", "confirm_grade")
    bureau = web_login(app, "bureau")
    suggestion = panels(page(bureau, grade["id"]))["grade_suggestion"]
    assert "行使一票否决 | 是" in suggestion and "否决理由 | 本月发生群众投诉且未及时处置" in suggestion
    assert "否决人 | 崮山镇政府 孙科员" in suggestion
    english = panels(page(in_english(bureau), grade["id"]))["grade_suggestion"]
    assert "Exercise the veto | Yes" in english and "Suggested grade and its inputs" in english
    # Once done, a task page shows its record, not the grounds of a decision already taken.
    users["gushan_gov_head"].post(
        f"/api/v1/tasks/{escalation['id']}/complete", {"data": {"action_taken": "已电话督促镇政府评分"}}
    )
    assert 'id="grounds"' not in page(head, escalation["id"])


def test_a_refused_submission_keeps_the_grounds_beside_the_form(app: Flask, users: dict[str, User]) -> None:
    start_recruitment(users["bureau"])
    complete(users["bureau"], "police_bureau", "draft_plan", PLAN)
    task_id = the_task(users["party"], "party_affairs", "review_plan")["id"]
    client = web_login(app, "party")
    token = csrf(client, f"/tasks/{task_id}")
    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": token})  # no decision chosen
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "计划招聘总数 | 46" in panels(html)["plan_table"]
    assert html.index('id="grounds"') < html.index('class="task-form"')
