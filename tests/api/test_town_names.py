"""Towns as the administration keeps them (SQLite and PostgreSQL): a town renamed or added by an admin is
named so on the plan's pages and grounds, the appraisal dashboard and report, and the roster's filter, in
the register's order (the shipped towns first, as shipped; the added ones after them)."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.usecases.demo import seed_officers
from tests.api.clean_form_steps import PLAN
from tests.api.grounds_steps import panels, table, values
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.api.test_admin import send
from tests.conftest import User
from tests.web_units.browser_session import web_login
from tests.web_units.test_plan_table_page import cells, plan_rows
from workflows.ports import CHINA, ManualClock

RENAMED = {"name_zh": "崮山街道", "name_en": "Gushan Subdistrict"}
ADDED = {"code": "qiaotou", "name_zh": "桥头镇", "name_en": "Qiaotou Town"}
VILLAGE = {"name_zh": "桥头村", "name_en": "Qiaotou Village", "town": "qiaotou", "kind": "village"}


def get(client: FlaskClient, url: str) -> str:
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def town_options(page: str) -> list[tuple[str, str]]:
    """The (code, name) options of the page's town filter, as shown."""
    select = re.search(r'<select name="town"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, "no town filter on the page"
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select.group(1))


def test_a_town_renamed_or_added_by_the_admin_is_named_so_everywhere(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    admin, bureau, party = users["admin"], users["bureau"], users["party"]
    send(admin, "PATCH", "/api/v1/admin/towns/gushan", RENAMED)
    admin.post("/api/v1/admin/towns", ADDED, expect=201)
    village = admin.post("/api/v1/admin/villages", {**VILLAGE, "households": 800}, expect=201)
    assert village["posts"] >= 1

    # The draft's table of villages and the review's plan: town by town in the register's order.
    start_recruitment(bureau)
    draft = the_task(bureau, "police_bureau", "draft_plan")
    rows = [cells(row) for row in plan_rows(get(web_login(app, "bureau"), f"/tasks/{draft['id']}")).values()]
    towns_shown = [row[1] for row in rows]
    assert towns_shown == sorted(towns_shown, key=["崮山街道", "泊于镇", "桥头镇"].index)
    assert towns_shown[0] == "崮山街道" and towns_shown[-1] == "桥头镇"
    assert rows[-1][0] == "桥头村"
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    plan_table = panels(party, the_task(party, "party_affairs", "review_plan")["id"])["plan_table"]
    plan = values(plan_table)
    assert plan["崮山街道计划招聘"] == "24" and plan["泊于镇计划招聘"] == "22"
    assert plan["桥头镇计划招聘"] == str(village["posts"])
    assert "崮山镇计划招聘" not in plan
    assert ["桥头村", "桥头镇"] == table(plan_table)[-1][:2]
    assert values(plan_table, "en")["To recruit in Gushan Subdistrict"] == "24"
    assert ["Gushanhou Village", "Gushan Subdistrict"] in [row[:2] for row in table(plan_table, "en")]

    # The appraisal dashboard: the towns to choose from and the rows, by their names as renamed.
    with ctx.database.transaction() as session:  # one officer in service on every post, Qiaotou's too
        assert seed_officers(ctx, session) == 46 + village["posts"]
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    dashboard = get(web_login(app, "bureau"), "/dashboards/appraisal")
    assert town_options(dashboard) == [("gushan", "崮山街道"), ("boyu", "泊于镇"), ("qiaotou", "桥头镇")]
    gushan_row = re.search(
        rf'<tr data-month="{month}" data-town="gushan">\s*<td>{month}</td><td>([^<]*)<', dashboard
    )
    assert gushan_row is not None and gushan_row.group(1) == "崮山街道"
    # The town is renamed; departments keep their own names (崮山镇人民政府, in the overdue table).
    assert "崮山镇" not in dashboard.replace("崮山镇人民政府", "")
    qiaotou = get(web_login(app, "bureau"), "/dashboards/appraisal?town=qiaotou")
    assert re.findall(r'data-town="([^"]+)">\s*<td>[^<]*</td><td>([^<]*)<', qiaotou) == [
        ("qiaotou", "桥头镇")
    ]
    # The month report knows the added town (none of its officers appraised yet), and still no other.
    assert users["auditor"].get(f"/api/v1/appraisals/reports/{month}?town=qiaotou") == []
    users["auditor"].get(f"/api/v1/appraisals/reports/{month}?town=nowhere", expect=404)

    # The roster: its filter and its rows.
    roster = get(web_login(app, "bureau"), "/officers?town=gushan")
    assert town_options(roster) == [("gushan", "崮山街道"), ("boyu", "泊于镇"), ("qiaotou", "桥头镇")]
    listed = re.findall(r'<td data-label="镇">([^<]*)</td>', roster)
    assert listed and set(listed) == {"崮山街道"}
    assert "崮山镇" not in roster
    officer = users["auditor"].get("/api/v1/officers?town=gushan")["items"][0]
    assert officer["town_name"] == "崮山街道" and officer["town_name_en"] == "Gushan Subdistrict"
