"""The dashboards' numbers at each step, and the lists behind them (issue 15, point 6), on SQLite and
PostgreSQL: a veto counts from the town government's decision, before and after the grade is confirmed;
every number the dashboard shows is the length of the list its link opens; the counts the dashboard reads
(appraisal_counts, kept by each step's transaction) equal the rows they count at every step, and
migration 0022 fills them from rows stored before it (issue 16, point 3)."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import timedelta
from typing import Any

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.appraisal_counts import COUNT_COLUMNS, counted_rows
from service.persistence.migrate import alembic_config, upgrade
from service.persistence.models import (
    AppraisalCountModel,
    AppraisalRecordModel,
    AppraisalStartModel,
    HumanTaskModel,
    OfficerModel,
)
from service.usecases.appraisal_vetoes import pending_rows
from service.usecases.audit_trail import CHINA
from tests.api.appraisal_steps import add_history, decide_vetoes, officer_of, score_all, seed, tasks_of
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock


def page(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def charts(text: str) -> dict[str, dict[str, Any]]:
    found = re.search(r'<script type="application/json" id="dashboard-charts">(.*?)</script>', text, re.S)
    assert found is not None
    return {chart["id"]: chart for chart in json.loads(found.group(1))["charts"]}


def cell(text: str, month: str, town: str, column: str) -> tuple[int, str | None]:
    """A number of the dashboard's month-by-town table and the link it carries."""
    row = re.search(rf'<tr data-month="{month}" data-town="{town}">(.*?)</tr>', text, re.S)
    assert row is not None, (month, town)
    found = re.search(rf'data-col="{column}">(?:<a href="([^"]*)">)?(\d+)', row.group(1))
    assert found is not None, column
    return int(found.group(2)), found.group(1)


def listed(client: FlaskClient, url: str, table: str) -> list[str]:
    """The rows of a list page's table (their opening tags, which carry the data attributes)."""
    body = page(client, url).split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r"<tr data-[^>]*>|<tr>", body.split("<tbody>")[1])


def test_a_veto_counts_from_its_decision_to_the_confirmed_grade(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    bureau, gov = web_login(app, "bureau"), web_login(app, "gushan_gov")

    def vetoes(client: FlaskClient = bureau) -> tuple[int, int, int]:
        """The Gushan veto count in the table, in the chart, and the length of the list behind it."""
        text = page(client, "/dashboards/appraisal")
        count, link = cell(text, month, "gushan", "vetoes")
        chart = charts(text)["chart-vetoes"]
        town_index = chart["categories"].index("崮山镇")
        drawn = chart["series"][0]["data"][town_index]["value"]
        listed_count = len(listed(client, link, "results")) if link else 0
        return count, drawn, listed_count

    score_all(users)
    assert vetoes() == (0, 0, 0)
    veto_task = tasks_of(users["gushan_gov"], "town_gov:gushan", "veto_decision")[0]
    officer = officer_of(users["gushan_gov"], veto_task)
    decide_vetoes(users, {officer})
    assert vetoes() == (1, 1, 1)  # decided, the grade not confirmed yet
    assert vetoes(gov) == (1, 1, 1)  # the town that decided sees it too
    results = page(bureau, f"/appraisals/{month}/results?town=gushan&veto=1")
    assert "待确定" in results and "本月发生群众投诉且未及时处置" in results
    assert listed(bureau, f"/appraisals/{month}/results?town=gushan&veto=1&confirmed=1", "results") == []
    boyu = page(bureau, "/dashboards/appraisal")
    assert cell(boyu, month, "boyu", "vetoes") == (0, None)

    head = users["bureau"]
    confirm = next(
        t for t in tasks_of(head, "police_bureau", "confirm_grade") if officer_of(head, t) == officer
    )
    data = head.get(f"/api/v1/tasks/{confirm['id']}")["data"]
    head.post(
        f"/api/v1/tasks/{confirm['id']}/complete",
        {"data": {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}},
    )
    assert vetoes() == (1, 1, 1)  # confirmed: counted once, from the record
    rows = listed(bureau, f"/appraisals/{month}/results?town=gushan&veto=1&confirmed=1", "results")
    assert rows == [f'<tr data-grade="{data["suggested_grade"]}" data-veto="1">']
    text = page(bureau, "/dashboards/appraisal")
    trend = charts(text)["chart-trend"]
    assert trend["series"][-1]["data"][-1]["value"] == 1  # the month's vetoes on the 12-month trend line

    # The Excel export of the list behind the number: the same rows, names not codes, Beijing time.
    with bureau.get(f"/appraisals/{month}/results.xlsx?town=gushan&veto=1") as response:
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert "否决时间（北京时间）" in values[1] and len(values) == 3
    assert values[2][1] == "崮山镇" and values[2][7] == "是"


def test_grades_and_overdue_numbers_open_lists_of_the_same_length(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    score_all(users)
    decide_vetoes(users, set())
    head = users["bureau"]
    for task in tasks_of(head, "police_bureau", "confirm_grade")[:5]:
        data = head.get(f"/api/v1/tasks/{task['id']}")["data"]
        head.post(
            f"/api/v1/tasks/{task['id']}/complete",
            {"data": {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}},
        )
    bureau = web_login(app, "bureau")
    text = page(bureau, "/dashboards/appraisal")
    grades_chart = charts(text)["chart-grades"]
    confirmed = 0
    for series in grades_chart["series"]:
        for point in series["data"]:
            if point["value"]:
                assert len(listed(bureau, point["url"], "results")) == point["value"]
                confirmed += point["value"]
    assert confirmed == 5
    now = clock.now()
    with ctx.database.transaction() as session:
        session.execute(
            update(HumanTaskModel)
            .where(HumanTaskModel.spec_name == "confirm_grade")
            .values(due_at=now - timedelta(hours=1))
        )
    clock.advance(timedelta(minutes=1))
    text = page(bureau, "/dashboards/appraisal")
    # Confirmation is the sub-bureau's: no town department has overdue work.
    assert cell(text, month, "gushan", "overdue") == (0, None)
    with ctx.database.transaction() as session:
        session.execute(
            update(HumanTaskModel)
            .where(HumanTaskModel.spec_name == "confirm_grade")
            .values(department_code="town_gov:boyu")
        )
    text = page(bureau, "/dashboards/appraisal")
    count, link = cell(text, month, "boyu", "overdue-town")
    assert count == 46 - 5 and link is not None
    assert len(listed(bureau, link, "overdue-tasks")) == count
    overdue_chart = charts(text)["chart-overdue"]
    boyu_gov = overdue_chart["categories"].index("泊于镇人民政府")
    assert overdue_chart["series"][0]["data"][boyu_gov]["value"] == count
    assert listed(bureau, f"/appraisals/{month}/overdue?town=boyu&kind=police_station", "overdue-tasks") == []
    # Town staff read their own town's lists only.
    station = web_login(app, "gushan_station")
    assert "您只能查看本镇" in page(station, f"/appraisals/{month}/results?town=boyu", expect=403)
    assert "您只能查看本镇" in page(station, f"/appraisals/{month}/overdue?town=boyu", expect=403)
    assert page(bureau, f"/appraisals/{month}/overdue?town=nowhere", expect=404)


Counts = dict[tuple[str, str], dict[str, int]]


def _nonzero(rows: Counts) -> Counts:
    return {key: {c: int(row[c]) for c in COUNT_COLUMNS} for key, row in rows.items() if any(row.values())}


def projected(session: Session) -> Counts:
    """The counts the dashboard reads."""
    found = session.scalars(select(AppraisalCountModel))
    return _nonzero({(r.month, r.town): {c: getattr(r, c) for c in COUNT_COLUMNS} for r in found})


def counted_directly(session: Session) -> Counts:
    """The same counts from the rows, one by one: starts by their officer's town, confirmed records, and
    the vetoes awaiting confirmation as the results list shows them."""
    rows: Counts = {}

    def add(month: str, town: str, *columns: str) -> None:
        row = rows.setdefault((month, town), dict.fromkeys(COUNT_COLUMNS, 0))
        for column in columns:
            row[column] += 1

    starts = select(AppraisalStartModel.month, OfficerModel.town).join(
        OfficerModel, OfficerModel.id == AppraisalStartModel.officer_id
    )
    for month, town in session.execute(starts):
        add(month, town, "started")
    for record in session.scalars(select(AppraisalRecordModel)):
        add(record.month, record.town, "appraised", record.grade)
        if record.veto:
            add(record.month, record.town, "vetoes", "vetoes_confirmed")
    for month in sorted({month for month, _town in rows}):
        for pending in pending_rows(session, month, None):
            add(month, pending["town"], "vetoes")
    return _nonzero(rows)


def rebuilt(session: Session) -> Counts:
    """The counts as the migration's backfill computes them."""
    return _nonzero({(r.month, r.town): dict(r._mapping) for r in session.execute(counted_rows())})


def test_the_counts_equal_the_rows_they_count_at_each_step_and_the_migration_fills_them(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock, database_url: str
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    with ctx.database.reading() as session:
        first = select(OfficerModel.id).order_by(OfficerModel.id).limit(2)
        gushan, boyu = (
            list(session.scalars(first.where(OfficerModel.town == t))) for t in ("gushan", "boyu")
        )
    add_history(ctx, [(gushan[0], "2026-01", "excellent"), (boyu[0], "2026-01", "competent")])

    def check(step: str) -> Counts:
        with ctx.database.reading() as session:
            counts, direct, again = projected(session), counted_directly(session), rebuilt(session)
        assert counts == direct, step
        assert counts == again, step
        return counts

    start = {"month": month}
    users["bureau_head"].post("/api/v1/appraisals/months", start, expect=201)
    after_start = check("start")
    assert sum(after_start[(month, town)]["started"] for town in ("gushan", "boyu")) == 46
    users["bureau_head"].post("/api/v1/appraisals/months", start, expect=201)  # a re-run starts nobody
    assert check("second start") == after_start
    score_all(users, weak=frozenset({gushan[1]}))
    assert check("scores") == after_start
    decide_vetoes(users, {gushan[0], boyu[0]})
    decided = check("veto decisions")
    assert [decided[(month, town)]["vetoes"] for town in ("gushan", "boyu")] == [1, 1]

    head = users["bureau"]
    confirming = {gushan[0], gushan[1], boyu[1]}  # vetoed, weak, ordinary; Boyu's veto stays pending
    for task in tasks_of(head, "police_bureau", "confirm_grade"):
        if officer_of(head, task) in confirming:
            data = head.get(f"/api/v1/tasks/{task['id']}")["data"]
            head.post(
                f"/api/v1/tasks/{task['id']}/complete",
                {"data": {"grade": data["suggested_grade"], "promotion_level": "keep", "reward": False}},
            )
    confirmed = check("confirmations")
    gushan_now, boyu_now = confirmed[(month, "gushan")], confirmed[(month, "boyu")]
    assert (gushan_now["appraised"], gushan_now["vetoes"], gushan_now["vetoes_confirmed"]) == (2, 1, 1)
    assert (boyu_now["appraised"], boyu_now["vetoes"], boyu_now["vetoes_confirmed"]) == (1, 1, 0)
    assert confirmed[("2026-01", "gushan")]["excellent"] == 1  # imported history, counted by rebuild

    # Migration 0022 on these rows, stored before the table existed: the same counts. (Only 0022 runs
    # again, the later ones being stamped as they were, so that this does not depend on their downgrades.)
    with ctx.database.transaction() as session:
        session.execute(text("DROP TABLE appraisal_counts"))
    config = alembic_config(database_url)
    command.stamp(config, "0021_audit_search")
    upgrade(database_url, "0022_dashboard_counts")
    command.stamp(config, "head")
    with ctx.database.reading() as session:
        assert projected(session) == confirmed
