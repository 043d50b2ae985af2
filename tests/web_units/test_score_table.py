"""Issue 11 point 3: exam scores entered as a table of the campaign's eligible applicants, row by row."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, HumanTaskModel
from service.scheduler import run_once as fire_due_timers
from service.usecases.form_rows import FormRows
from service.usecases.grounds.building import masked_id
from service.web.forms import build_fields, parse_submission, table_sources
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock


@dataclass(frozen=True)
class Applicant:
    id: int
    name: str
    id_number: str
    village_zh: str
    village_en: str


VILLAGES = {"gs-v05": ("北海村", "Beihai Village"), "gs-v03": ("方吉村", "Fangji Village")}


@pytest.fixture
def scores_task(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> tuple[str, list[Applicant]]:
    """An open 录入考试成绩 task with four eligible applicants in two villages and one ineligible one.

    Returns the task id and the eligible applicants in the table's order (village, then name).
    """
    bureau = users["bureau"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    birth = birth_for_age(today, 25)
    people = [(1, "gs-v05", "王五"), (2, "gs-v03", "李四"), (3, "gs-v05", "张三"), (4, "gs-v03", "赵六")]
    eligible = []
    for n, village, name in people:
        sent = applicant(n, village, birth, name=name)
        made = bureau.post(url, sent, expect=201)
        assert made["status"] == "eligible", made
        eligible.append(Applicant(made["id"], name, sent["id_number"], *VILLAGES[village]))
    refused = bureau.post(url, applicant(5, "gs-v05", birth, name="钱七", healthy=False), expect=201)
    assert refused["status"] == "ineligible"
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    tasks = bureau.get("/api/v1/queues/police_bureau/tasks")["items"]
    task = next(t for t in tasks if t["spec_name"] == "enter_exam_scores")
    # gs-v03 before gs-v05 (register order), then by name.
    order = sorted(eligible, key=lambda a: (a.village_zh != "方吉村", a.name))
    return task["id"], order


def in_english(client: FlaskClient) -> FlaskClient:
    token = csrf(client, "/")
    assert client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"}).status_code == 302
    return client


def table_rows(page: str) -> dict[int, str]:
    """Each table row's HTML by application id, in the order shown."""
    table = re.search(r'<table[^>]*id="score-table".*?</table>', page, re.S)
    assert table is not None, "no score table on the page"
    rows = re.findall(r'<tr id="score-row-(\d+)".*?</tr>', table.group(0), re.S)
    bodies = re.findall(r'(<tr id="score-row-\d+".*?</tr>)', table.group(0), re.S)
    return {int(key): body for key, body in zip(rows, bodies, strict=True)}


def input_value(row: str, name: str) -> str:
    found = re.search(rf'<input type="text" name="{re.escape(name)}"[^>]*?value="([^"]*)"', row, re.S)
    assert found is not None, name
    return html.unescape(found.group(1))


def error_of(row: str) -> str:
    found = re.search(r'<p class="field-error"[^>]*>(.*?)</p>', row, re.S)
    return html.unescape(found.group(1)) if found else ""


def posted(client: FlaskClient, task_id: str, rows: dict[int, tuple[str, bool]]) -> dict[str, object]:
    """The table as the browser posts it: every row's key, its score as typed, and 缺考 when ticked."""
    data: dict[str, object] = {"csrf_token": csrf(client, f"/tasks/{task_id}"), "scores.row": list(rows)}
    for key, (score, absent) in rows.items():
        data[f"scores.{key}.score"] = score
        if absent:
            data[f"scores.{key}.absent"] = "1"
    return data


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_table_lists_each_eligible_applicant_by_name_masked_id_and_village(
    app: Flask, scores_task: tuple[str, list[Applicant]], lang: str
) -> None:
    task_id, eligible = scores_task
    client = web_login(app, "bureau")
    if lang == "en":
        in_english(client)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    rows = table_rows(page)
    assert list(rows) == [a.id for a in eligible], "village, then name: a stable order"
    for person in eligible:
        row = rows[person.id]
        masked = masked_id(person.id_number)
        assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", masked)
        assert person.name in row and masked in row
        assert (person.village_en if lang == "en" else person.village_zh) in row
        assert person.id_number not in page, "the whole resident ID is never listed"
        name = f"scores.{person.id}.score"
        assert re.search(rf'<label for="in-{re.escape(name)}"[^>]*>[^<]*{person.name}', row), (
            "a label per input"
        )
        assert re.search(rf'name="{re.escape(name)}"[^>]*inputmode="decimal"', row, re.S)
        assert f'name="scores.{person.id}.absent"' in row
    assert "钱七" not in page, "an ineligible applicant gets no row"
    assert "gs-v05" not in page and "gs-v03" not in page, "village names, never codes"
    assert 'name="scores"' not in page, "no JSON textarea any more"
    # The page says what a blank means and where the Excel import is.
    assert f"/tasks/{task_id}/scores" in page
    assert ("Absent" if lang == "en" else "缺考") in page
    assert ("cannot be hired" if lang == "en" else "不会被录用") in page


def test_a_valid_table_completes_the_task_and_ranks_the_candidates(
    app: Flask, ctx: ServiceContext, scores_task: tuple[str, list[Applicant]]
) -> None:
    task_id, eligible = scores_task
    first, second, third, absent = eligible
    client = web_login(app, "bureau")
    table = {
        first.id: ("88.5", False),
        second.id: ("92", False),
        third.id: (" 75 ", False),
        absent.id: ("", True),
    }
    response = client.post(f"/tasks/{task_id}", data=posted(client, task_id, table))
    assert response.status_code == 302, response.get_data(as_text=True)
    with ctx.database.reading() as session:
        task = session.get(HumanTaskModel, task_id)
        assert task is not None and task.state == "completed"
        found = {a.id: a for a in session.scalars(select(ApplicationModel))}
    assert (found[first.id].score, found[second.id].score, found[third.id].score) == (88.5, 92, 75)
    # Ranked by score within each village (方吉村: second before first); the best of each is being vetted.
    assert (found[second.id].rank, found[first.id].rank, found[third.id].rank) == (1, 2, 1)
    assert {found[a.id].status for a in (first, second, third)} <= {"ranked", "vetting"}
    assert found[absent.id].status == "absent" and found[absent.id].rank is None


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_bad_rows_come_back_next_to_their_inputs_with_what_was_typed(
    app: Flask, ctx: ServiceContext, scores_task: tuple[str, list[Applicant]], lang: str
) -> None:
    task_id, eligible = scores_task
    too_high, text, blank, good = eligible
    client = web_login(app, "bureau")
    if lang == "en":
        in_english(client)
    table = {
        too_high.id: ("120", False),
        text.id: ("八十", False),
        blank.id: ("", False),
        good.id: ("85.5", False),
    }
    response = client.post(f"/tasks/{task_id}", data=posted(client, task_id, table))
    assert response.status_code == 422
    rows = table_rows(response.get_data(as_text=True))
    assert list(rows) == [a.id for a in eligible]
    if lang == "en":
        expected = {
            too_high.id: f"{too_high.name}: Score must be between 0 and 100",
            text.id: f"{text.name}: Score must be a number",
            blank.id: f"{blank.name}: Score not entered; enter it, or tick Absent if they missed the exam",
        }
    else:
        expected = {
            too_high.id: f"{too_high.name}的“成绩”应在 0 至 100 之间",
            text.id: f"{text.name}的“成绩”应为数字",
            blank.id: f"{blank.name}的“成绩”未填写：请填写；未参加考试的请勾选“缺考”",
        }
    for person, message in expected.items():
        assert error_of(rows[person]) == message
        assert 'aria-invalid="true"' in rows[person]
    assert error_of(rows[good.id]) == ""
    values = {person.id: input_value(rows[person.id], f"scores.{person.id}.score") for person in eligible}
    assert values == {too_high.id: "120", text.id: "八十", blank.id: "", good.id: "85.5"}
    assert not any("checked" in row for row in rows.values())
    with ctx.database.reading() as session:
        task = session.get(HumanTaskModel, task_id)
        assert task is not None and task.state in ("open", "claimed")
        assert not any(a.score for a in session.scalars(select(ApplicationModel)))


def test_absent_and_a_score_on_one_row_is_refused_on_that_row(
    app: Flask, scores_task: tuple[str, list[Applicant]]
) -> None:
    task_id, eligible = scores_task
    both, *others = eligible
    client = web_login(app, "bureau")
    table = {both.id: ("70", True), **{person.id: ("", True) for person in others}}
    response = client.post(f"/tasks/{task_id}", data=posted(client, task_id, table))
    assert response.status_code == 422
    rows = table_rows(response.get_data(as_text=True))
    assert error_of(rows[both.id]) == f"{both.name}：已勾选“缺考”又填写了“成绩”，请删除成绩或取消勾选"
    assert input_value(rows[both.id], f"scores.{both.id}.score") == "70"
    assert all("checked" in rows[person.id] for person in eligible), "the ticks are kept too"


def test_everyone_absent_is_refused_above_the_table(
    app: Flask, scores_task: tuple[str, list[Applicant]]
) -> None:
    task_id, eligible = scores_task
    client = web_login(app, "bureau")
    response = client.post(
        f"/tasks/{task_id}", data=posted(client, task_id, {a.id: ("", True) for a in eligible})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "没有录入任何成绩：至少要有一人有成绩" in page
    assert all("checked" in row for row in table_rows(page).values())


def test_the_table_is_declared_by_the_form_not_guessed_from_a_name() -> None:
    schema = json.loads((Path(__file__).resolve().parents[2] / "forms" / "exam_scores.json").read_text())
    assert table_sources(schema) == ["eligible_applicants"]
    undeclared = {**schema, "properties": {"scores": {**schema["properties"]["scores"]}}}
    del undeclared["properties"]["scores"]["x-rows"]
    assert table_sources(undeclared) == []
    # Without rows from the service, or undeclared, the array is the JSON textarea it was.
    for form, rows in ((schema, {}), (undeclared, {"eligible_applicants": FormRows("t", [])})):
        (field,) = build_fields(form, "zh-CN", {}, {}, rows=rows)
        assert field.kind == "json"
        assert parse_submission(form, MultiDict({"scores": '[{"application_id": 1, "score": 60}]'})) == {
            "scores": [{"application_id": 1, "score": 60}]
        }
    (field,) = build_fields(schema, "zh-CN", {}, {}, rows={"eligible_applicants": FormRows("t", [])})
    assert field.kind == "table" and field.rows == []
