"""Dashboards: a recruitment campaign's posts and applicants, the monthly appraisal by month and town."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jinja2 import nodes
from sqlalchemy import event, func, select, update

from service.context import ServiceContext
from service.persistence.appraisal_counts import rebuild
from service.persistence.models import (
    ApplicationModel,
    AppraisalRecordModel,
    DefinitionModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
)
from service.usecases.appraisal import previous_months
from service.usecases.audit_trail import CHINA
from tests.api.appraisal_steps import rubric, seed, tasks_of
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock

KEY = "2026-recruitment"


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def figure(page: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">\s*(\d+)<', page)
    assert found is not None, element_id
    return int(found.group(1))


def hiring_instance(ctx: ServiceContext, slot: str, status: str) -> int:
    """A post_hiring instance row of the campaign (crafted: only its key and status matter here)."""
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        definition = session.scalars(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "post_hiring")
        ).one()
        row = InstanceModel(
            definition_id=definition,
            process_id="post_hiring",
            business_key=f"{KEY}/{slot}",
            status=status,
            subject="",
            state={},
            serializer_version="crafted",
            started_by="system",
            created_at=now,
            updated_at=now,
            completed_at=now if status == "completed" else None,
        )
        session.add(row)
        session.flush()
        return row.id


def test_campaign_dashboard(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    bureau = users["bureau"]
    today = clock.now().astimezone(CHINA).date()
    recruitment = start_recruitment(bureau, KEY)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    hired = bureau.post(url, applicant(1, "gs-v01", birth_for_age(today, 25)), expect=201)["id"]
    vetting = bureau.post(url, applicant(2, "gs-v02", birth_for_age(today, 26)), expect=201)["id"]
    too_old = bureau.post(url, applicant(3, "gs-v03", birth_for_age(today, 45)), expect=201)
    assert too_old["status"] == "ineligible"
    bureau.post(url, applicant(4, "gs-v03", birth_for_age(today, 27)), expect=201)  # stays eligible
    # The crafted situation: one post filled, one vacant, two in progress (one of them vetting).
    filled_by = hiring_instance(ctx, "gs-v01/1", "completed")
    hiring_instance(ctx, "gs-v05/1", "completed")
    hiring_instance(ctx, "gs-v02/1", "running")
    hiring_instance(ctx, "gs-v04/1", "running")
    with ctx.database.transaction() as session:
        session.execute(update(ApplicationModel).where(ApplicationModel.id == hired).values(status="hired"))
        session.execute(
            update(ApplicationModel).where(ApplicationModel.id == vetting).values(status="vetting")
        )
        session.add(
            OfficerModel(
                application_id=hired,
                name="应聘人001",
                village_code="gs-v01",
                town="gushan",
                role="director_assistant",
                party_member=False,
                contract_number="WH-2026-001",
                contract_start=date(2026, 1, 1),
                contract_end=date(2028, 12, 31),
                status="in_service",
                hiring_instance_id=filled_by,
                hired_at=clock.now(),
            )
        )

    client = web_login(app, "bureau")
    listing = get(client, "/dashboards/campaigns")
    assert "2026年农村辅警招聘计划" in listing and f"/dashboards/campaigns/{campaign_id}" in listing
    assert 'id="nav-campaigns"' in listing and 'id="nav-appraisal"' in listing
    village_reads: list[str] = []

    def collect(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "FROM villages" in statement:
            village_reads.append(statement)

    event.listen(ctx.database.read_engine, "before_cursor_execute", collect)
    try:
        page = get(client, f"/dashboards/campaigns/{campaign_id}")
    finally:
        event.remove(ctx.database.read_engine, "before_cursor_execute", collect)
    # The posts' villages (four started, one vacant) are named from one read, not one read each.
    assert len([s for s in village_reads if "villages.code IN" in s]) <= 2, village_reads
    expected = {
        "posts-total": 46,
        "posts-filled": 1,
        "posts-vacant": 1,
        "posts-in-progress": 2,
        "in-vetting": 1,
    }
    assert {key: figure(page, key) for key in expected} == expected
    assert figure(page, "posts-not-started") == 46 - 4 and figure(page, "applicants-total") == 4
    statuses = dict(
        re.findall(
            r'data-status="([a-z_]+)"><td>[^<]*</td><td class="num"><a href="[^"]*">(\d+)</a></td>', page
        )
    )
    assert statuses == {"eligible": "1", "ineligible": "1", "vetting": "1", "hired": "1"}
    reasons = page.split('id="rejections-by-reason"')[1]
    for reason in too_old["reasons"]:
        assert f'<tr><td>{reason}</td><td class="num">1</td></tr>' in reasons
    assert f"{KEY}/gs-v05/1" in page  # the vacant post is named
    with client.get(f"/dashboards/campaigns?campaign={campaign_id}") as chosen:  # the no-JS chooser
        assert chosen.status_code == 302 and chosen.location.endswith(f"/dashboards/campaigns/{campaign_id}")

    assert figure(get(web_login(app, "auditor"), f"/dashboards/campaigns/{campaign_id}"), "posts-filled") == 1
    for outsider in ("party", "gushan_station"):
        assert "只有公安分局人员和审计人员" in get(
            web_login(app, outsider), "/dashboards/campaigns", expect=403
        )
    assert get(client, "/dashboards/campaigns/9999", expect=404)


def record(officer: OfficerModel, month: str, grade: str, veto: bool, now: Any) -> AppraisalRecordModel:
    return AppraisalRecordModel(
        officer_id=officer.id,
        month=month,
        town=officer.town,
        instance_id=None,
        station_total=90.0,
        town_total=90.0,
        combined_score=90.0,
        village_committee_opinion="satisfied",
        veto=veto,
        veto_reason="群众投诉" if veto else None,
        veto_by="gushan_gov" if veto else None,
        veto_at=now if veto else None,
        suggested_grade=grade,
        grade=grade,
        promotion_level="keep",
        reward=False,
        confirmed_by="bureau",
        confirmed_at=now,
    )


def matrix(page: str) -> dict[tuple[str, str], dict[str, int]]:
    """(month, town) -> the figures of the appraisal dashboard's row."""
    rows = {}
    for month, town, body in re.findall(
        r'<tr data-month="([\d-]+)" data-town="([a-z]+)">(.*?)</tr>', page, re.S
    ):
        cells = [
            int(n)
            for n in re.findall(r'<td class="num[^"]*"[^>]*>(?:<a href="[^"]*">)?(\d+)(?:</a>)?</td>', body)
        ]
        keys = ["started", "appraised", "excellent", "competent", "basically", "incompetent", "vetoes"]
        rows[(month, town)] = dict(
            zip([*keys, "overdue_station", "overdue_town", "overdue"], cells, strict=True)
        )
    return rows


def list_paths_built(app: Flask, client: FlaskClient, url: str) -> int:
    """How many addresses of the appraisal lists (results, overdue tasks) the page asked Flask to build."""
    built: list[str] = []

    def count(endpoint: str, _values: dict[str, Any]) -> None:
        if endpoint in ("web.appraisal_results_page", "web.appraisal_overdue_page"):
            built.append(endpoint)

    app.url_default_functions.setdefault(None, []).append(count)
    try:
        get(client, url)
    finally:
        app.url_default_functions[None].remove(count)
    return len(built)


def no_loop_or_call_per_row(app: Flask, template: str, rows: str) -> bool:
    """The template's loop over ``rows`` has no loop, macro or call inside it: a row is a few values."""
    assert app.jinja_env.loader is not None
    source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
    loops = [
        loop
        for loop in app.jinja_env.parse(source).find_all(nodes.For)
        if isinstance(loop.iter, nodes.Name) and loop.iter.name == rows
    ]
    assert len(loops) == 1, loops
    inside = (nodes.For, nodes.Call, nodes.Macro)
    return not [node for body in loops[0].body for node in body.find_all(inside)]


def test_appraisal_dashboard(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    previous = previous_months(month, 2)[1]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    with ctx.database.reading() as session:
        per_town = dict(
            session.execute(select(OfficerModel.town, func.count()).group_by(OfficerModel.town)).all()
        )
        gushan = list(session.scalars(select(OfficerModel).where(OfficerModel.town == "gushan").limit(3)))
        boyu = session.scalars(select(OfficerModel).where(OfficerModel.town == "boyu").limit(1)).one()
    # One Gushan station score is in; then every open scoring task of the month passes its deadline.
    task = tasks_of(users["gushan_station"], "police_station:gushan", "station_score")[0]
    users["gushan_station"].post(
        f"/api/v1/tasks/{task['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    now = clock.now()
    with ctx.database.transaction() as session:
        session.execute(
            update(HumanTaskModel)
            .where(HumanTaskModel.process_id == "appraisal")
            .values(due_at=now - timedelta(hours=1))
        )
        session.add_all(
            [
                record(gushan[0], month, "excellent", False, now),
                record(gushan[1], month, "excellent", False, now),
                record(gushan[2], month, "incompetent", True, now),
                record(boyu, month, "competent", False, now),
                record(boyu, previous, "basically_competent", False, now),
            ]
        )
        session.flush()
        # Records put in directly, as an import would: the dashboard's counts are rebuilt from them.
        rebuild(session.connection())

    page = get(web_login(app, "bureau"), "/dashboards/appraisal")
    rows = matrix(page)
    g, b = per_town["gushan"], per_town["boyu"]
    assert rows[(month, "gushan")] == {
        "started": g, "appraised": 3, "excellent": 2, "competent": 0, "basically": 0, "incompetent": 1,
        "vetoes": 1, "overdue_station": g - 1, "overdue_town": g, "overdue": 2 * g - 1,
    }  # fmt: skip
    assert rows[(month, "boyu")]["started"] == b and rows[(month, "boyu")]["competent"] == 1
    assert rows[(month, "boyu")]["overdue"] == 2 * b and rows[(month, "boyu")]["vetoes"] == 0
    assert rows[(previous, "boyu")] == {
        "started": 0, "appraised": 1, "excellent": 0, "competent": 0, "basically": 1, "incompetent": 0,
        "vetoes": 0, "overdue_station": 0, "overdue_town": 0, "overdue": 0,
    }  # fmt: skip
    assert set(rows) == {(month, "gushan"), (month, "boyu"), (previous, "boyu")}
    assert set(matrix(get(web_login(app, "auditor"), f"/dashboards/appraisal?until={month}"))) == set(rows)
    only_boyu = matrix(get(web_login(app, "bureau"), "/dashboards/appraisal?town=boyu"))
    assert set(only_boyu) == {(month, "boyu"), (previous, "boyu")}
    # The lists' paths are built once per month of the window, not per town, row or number: a sub-bureau's
    # table is 12 months x 100+ towns (docs/benchmarks.md); both pages build the same 2 x 12.
    assert list_paths_built(app, web_login(app, "bureau"), "/dashboards/appraisal") == 24
    assert list_paths_built(app, web_login(app, "bureau"), "/dashboards/appraisal?town=boyu") == 24
    assert no_loop_or_call_per_row(app, "dashboard_appraisal.html", "matrix")
    assert "所选期间没有考核数据" in get(
        web_login(app, "bureau"), f"/dashboards/appraisal?until={previous_months(month, 14)[-1]}"
    )

    # Town staff see their own town only; other departments see no appraisal dashboard.
    station = web_login(app, "gushan_station")
    own = get(station, "/dashboards/appraisal")
    assert set(matrix(own)) == {(month, "gushan")}
    assert 'id="nav-appraisal"' in own and 'id="nav-campaigns"' not in own
    assert "您只能查看本镇的考核情况" in get(station, "/dashboards/appraisal?town=boyu", expect=403)
    assert set(matrix(get(web_login(app, "boyu_gov"), "/dashboards/appraisal"))) == set(only_boyu)
    party = web_login(app, "party")
    assert 'id="nav-appraisal"' not in get(party, "/")
    assert get(party, "/dashboards/appraisal", expect=403)
    assert "月份格式" in get(station, "/dashboards/appraisal?until=2026-13", expect=422)
