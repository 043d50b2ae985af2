"""Issue 13 point 3 on the pages: the draft's table of villages (quota, officers in service, vacancies, the
number to recruit and the reason for a change), its errors beside the village, and the review's plan."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.api.test_staffing_plan import ROSTER, VACANCIES, add_officers
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.test_score_table import in_english


@pytest.fixture
def draft_task(users: dict[str, User], ctx: ServiceContext) -> str:
    add_officers(ctx, ROSTER)
    start_recruitment(users["bureau"])
    return str(the_task(users["bureau"], "police_bureau", "draft_plan")["id"])


def plan_rows(page: str) -> dict[str, str]:
    """Each table row's HTML by village code (the key the row posts back), in the order shown."""
    table = re.search(r'<table[^>]*id="plan-table".*?</table>', page, re.S)
    assert table is not None, "no plan table on the page"
    bodies = re.findall(r'(<tr id="plan-row-([^"]+)".*?</tr>)', table.group(0), re.S)
    return {code: body for body, code in bodies}


def input_value(row: str, name: str) -> str:
    found = re.search(rf'<input type="text" name="{re.escape(name)}"[^>]*?value="([^"]*)"', row, re.S)
    assert found is not None, name
    return html.unescape(found.group(1))


def error_of(row: str) -> str:
    found = re.search(r'<p class="field-error"[^>]*>(.*?)</p>', row, re.S)
    return html.unescape(found.group(1)) if found else ""


def cells(row: str) -> list[str]:
    """The row's visible cells, tags stripped (inputs leave nothing)."""
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def posted(
    client: FlaskClient, task_id: str, page: str, changes: dict[str, tuple[str, str]]
) -> dict[str, object]:
    """The form as the browser posts it: every row as shown, with ``changes`` (number, reason) typed in."""
    rows = plan_rows(page)
    data: dict[str, object] = {
        "csrf_token": csrf(client, f"/tasks/{task_id}"),
        "plan_title": "2026年农村辅警招聘计划",
        "monthly_salary": "4200",
        "planned_posts.row": list(rows),
    }
    for code, row in rows.items():
        number, reason = changes.get(code, (input_value(row, f"planned_posts.{code}.posts"), ""))
        data[f"planned_posts.{code}.posts"] = number
        data[f"planned_posts.{code}.reason"] = reason
    return data


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_draft_lists_each_village_with_quota_roster_and_vacancies(
    app: Flask, draft_task: str, lang: str
) -> None:
    client = web_login(app, "bureau")
    if lang == "en":
        in_english(client)
    page = client.get(f"/tasks/{draft_task}").get_data(as_text=True)
    rows = plan_rows(page)
    assert len(rows) == 43
    towns = [code[:2] for code in rows]
    assert towns == sorted(towns, key=lambda town: town != "gs"), "崮山镇 then 泊于镇, the register's order"
    en = lang == "en"
    # village, town, quota, in service (names), vacancies; the inputs start at the vacancies.
    assert cells(rows["gs-c01"])[:5] == (
        ["Zaobu Community", "Gushan Town", "2", "1 (王二)", "1"]
        if en
        else ["皂埠社区", "崮山镇", "2", "1（王二）", "1"]
    )
    assert cells(rows["gs-v06"])[3] == ("2 (王四, 王五)" if en else "2（王四、王五）")
    assert input_value(rows["gs-c01"], "planned_posts.gs-c01.posts") == "1"
    assert input_value(rows["gs-v04"], "planned_posts.gs-v04.posts") == "0"
    assert input_value(rows["gs-v05"], "planned_posts.gs-v05.posts") == "1"  # the resigned officer's post
    assert input_value(rows["gs-c01"], "planned_posts.gs-c01.reason") == ""
    totals = (
        f"Quota 46, in service 4, vacancies {VACANCIES}."
        if en
        else f"编制 46 个，在岗 4 人，空缺 {VACANCIES} 个。"
    )
    assert totals in page
    assert 'name="planned_posts"' not in page, "a table, not a JSON textarea"
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "gs-c01" not in visible, "village names, never codes"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_refused_rows_come_back_beside_their_village_with_what_was_typed(
    app: Flask, draft_task: str, lang: str
) -> None:
    client = web_login(app, "bureau")
    if lang == "en":
        in_english(client)
    page = client.get(f"/tasks/{draft_task}").get_data(as_text=True)
    changes = {"gs-v04": ("1", "补充警力"), "gs-c01": ("0", ""), "gs-v01": ("两", "")}
    response = client.post(f"/tasks/{draft_task}", data=posted(client, draft_task, page, changes))
    assert response.status_code == 422
    rows = plan_rows(response.get_data(as_text=True))
    if lang == "en":
        expected = {
            "gs-v01": "Gushanhou Village: ",
            "gs-v04": "Laotai Village: 1 to recruit exceeds the quota (1 posts, 1 in service, at most 0)",
        }
    else:
        expected = {
            "gs-v01": "崮山后村：",
            "gs-v04": "涝台村：计划招聘 1 人超出编制（编制 1 个，在岗 1 人，最多可招 0 人）",
        }
    # The form's schema refuses the word first; the quota and the reasons are checked once it passes.
    assert error_of(rows["gs-v01"]).startswith(expected["gs-v01"])
    assert error_of(rows["gs-v04"]) == ""  # checked against the quota only once the form is well typed
    assert input_value(rows["gs-v01"], "planned_posts.gs-v01.posts") == "两"
    assert input_value(rows["gs-v04"], "planned_posts.gs-v04.reason") == "补充警力"
    assert error_of(rows["gs-v05"]) == ""

    changes["gs-v01"] = ("1", "")
    response = client.post(f"/tasks/{draft_task}", data=posted(client, draft_task, page, changes))
    assert response.status_code == 422
    rows = plan_rows(response.get_data(as_text=True))
    assert error_of(rows["gs-v04"]) == expected["gs-v04"]
    reason = (
        "Zaobu Community: 0 to recruit differs from the 1 vacancies; give the reason for the change"
        if lang == "en"
        else "皂埠社区：计划招聘 0 人与空缺 1 个不同，请填写调整理由"
    )
    assert error_of(rows["gs-c01"]) == reason
    assert 'aria-invalid="true"' in rows["gs-c01"]
    assert error_of(rows["gs-v01"]) == ""


def test_an_adjusted_plan_goes_to_the_review_which_shows_it_against_quota_and_roster(
    app: Flask, draft_task: str, users: dict[str, User]
) -> None:
    client = web_login(app, "bureau")
    page = client.get(f"/tasks/{draft_task}").get_data(as_text=True)
    changes = {"gs-c01": ("0", "社区警务室已覆盖")}
    response = client.post(f"/tasks/{draft_task}", data=posted(client, draft_task, page, changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    # The completed draft's record names the villages it planned, never their codes.
    record = client.get(f"/tasks/{draft_task}").get_data(as_text=True)
    assert "皂埠社区" in record and "社区警务室已覆盖" in record
    assert "gs-c01" not in re.sub(r"<[^>]+>", " ", record)
    review = the_task(users["party"], "party_affairs", "review_plan")
    party = web_login(app, "party")
    shown = party.get(f"/tasks/{review['id']}").get_data(as_text=True)
    assert "社区警务室已覆盖" in shown and "王四、王五" in shown
    assert "计划招聘总数" in shown and str(VACANCIES - 1) in shown
