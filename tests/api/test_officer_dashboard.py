"""The officers' dashboard (issue 17) on SQLite and PostgreSQL after a work injury, a death on duty and a
resignation: each number is the length of the list its link opens (the roster filtered by status and month
of leaving, the inbox of the step, the missing undertakings); a town sees its own town, a reader of neither
dashboard is refused. The officer's page after leaving: the contract ended on the day of leaving, no pay
warning for a missing undertaking."""

from __future__ import annotations

import io
import re

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import OfficerModel
from tests.api.test_dashboard_counts import charts, listed, page
from tests.api.test_training import BULK, PLAN, start_training, task_of_instance
from tests.api.test_welfare import DEATH, complete, officers, report_injury
from tests.conftest import User
from tests.web_units.browser_session import web_login


def figure(text: str, table: str, row: str, column: str) -> tuple[int, str | None]:
    """A number of one of the dashboard's tables (row by its data attribute) and the link it carries."""
    body = text.split(f'id="{table}"')[1].split("</table>")[0]
    found = re.search(rf"<tr {row}>(.*?)</tr>", body, re.S)
    assert found is not None, (table, row)
    cell = re.search(rf'data-col="{column}">(?:<a href="([^"]*)">)?(\d+)', found.group(1))
    assert cell is not None, (table, row, column)
    return int(cell.group(2)), cell.group(1)


def test_the_officers_dashboard_counts_leavers_open_cases_and_links_the_lists(
    app: Flask, ctx: ServiceContext, users: dict[str, User]
) -> None:
    injured, died, resigned = officers(ctx, 3)[-3:]
    injury = report_injury(users, injured)
    death = int(
        users["gushan_station"].post(f"/api/v1/officers/{died}/deaths", {"data": DEATH}, expect=201)["id"]
    )
    facts = {"died_on_duty": True, "facts_finding": "经核实，系救助落水群众时牺牲", "recommend_martyr": True}
    complete(users["bureau_head"], "police_bureau", "confirm_death_facts", death, facts)
    users["bureau_head"].post(
        f"/api/v1/officers/{resigned}/status",
        {"status": "resigned", "on": "2026-10-15", "reason": "本人申请辞职"},
    )
    plan = start_training(users["bureau"], PLAN)
    approval = task_of_instance(users["bureau_head"], "approve_training_plan", plan["id"])
    users["bureau_head"].post(f"/api/v1/tasks/{approval['id']}/complete", {"data": {"approve": True}})
    [row] = users["bureau"].get(f"{BULK}/bulk")["rows"]  # the one Gushan officer still in service
    passed = {"attended": True, "result": "passed", "remarks": ""}
    users["bureau"].post(f"{BULK}/bulk-complete", {"items": [{"task_id": row["task_id"], "data": passed}]})
    bureau = web_login(app, "bureau")
    text = page(bureau, "/dashboards/officers")

    # Leavers by reason and month: the roster behind each number lists exactly them.
    count, link = figure(text, "officer-leavers", 'data-month="2026-11"', "died_on_duty")
    assert count == 1 and link is not None
    assert listed(bureau, link, "roster") == [f'<tr data-officer="{died}" data-status="died_on_duty">']
    assert "牺牲" in page(bureau, link) and "汛期巡查时救助落水群众" not in page(bureau, link)
    count, link = figure(text, "officer-leavers", 'data-month="2026-10"', "resigned")
    assert count == 1 and link is not None
    roster = page(bureau, link)
    assert listed(bureau, link, "roster") == [f'<tr data-officer="{resigned}" data-status="resigned">']
    assert "本人申请辞职" in roster and "2026-10-15" in roster
    export = re.search(r'id="export-roster" href="([^"]+)"', roster)
    assert export is not None and "left_in=2026-10" in export.group(1)
    with bureau.get(export.group(1).replace("&amp;", "&")) as response:
        sheet = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert [row[6:8] for row in sheet[2:]] == [("2026-10-15", "本人申请辞职")]  # day and reason of leaving
    assert figure(text, "officer-leavers", 'data-month="2026-10"', "died_on_duty") == (0, None)
    api = users["bureau"]
    assert [o["id"] for o in api.get("/api/v1/officers?left_in=2026-10")["items"]] == [resigned]
    assert api.get("/api/v1/officers?left_in=2026-09")["items"] == []
    assert "YYYY-MM" in str(api.get("/api/v1/officers?left_in=2026-13", expect=422))
    assert "YYYY-MM" in str(api.get("/api/v1/officers?left_in=0000-01", expect=422))  # was a 500
    leavers_chart = charts(text)["chart-leavers"]
    died_series = next(s for s in leavers_chart["series"] if s["name"] == "牺牲")
    assert died_series["data"][leavers_chart["categories"].index("2026-11")]["value"] == 1

    # Officers in service against the posts, read from the same table as the roster.
    with ctx.database.reading() as session:
        serving = session.scalar(
            select(func.count()).where(OfficerModel.status == "in_service", OfficerModel.town == "gushan")
        )
    staffing = text.split('id="officer-staffing"')[1].split("</table>")[0]
    gushan = re.search(r'<th scope="row">崮山镇</th>\s*<td[^>]*><a href="([^"]*)">(\d+)</a>', staffing)
    assert gushan is not None and int(gushan.group(2)) == serving
    assert len(listed(bureau, gushan.group(1).replace("&amp;", "&"), "roster")) == min(serving or 0, 30)

    # Open cases by process and step, named, each the list of the cases waiting there: as many rows.
    steps = re.findall(
        r'<tr data-process="([a-z_]+)" data-step="([a-z_]+)">\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>'
        r'\s*<td[^>]*><a href="([^"]*)">(\d+)</a>',
        text,
    )
    found = {
        (process, step): (process_name, step_name, int(n))
        for process, step, process_name, step_name, _u, n in steps
    }
    assert found[("work_injury", "submit_injury_materials")][2] == 1
    assert found[("death_on_duty", "evaluate_martyr")][2] == 1
    assert found[("work_injury", "submit_injury_materials")][0] == "工伤处理"
    for _p, _s, _a, _b, link, n in steps:
        assert len(listed(bureau, link, "instances")) == int(n), link
    injury_link = next(
        u for p, s, _a, _b, u, _n in steps if (p, s) == ("work_injury", "submit_injury_materials")
    )
    assert listed(bureau, injury_link, "instances") == [f'<tr data-instance="{injury}" data-state="open">']
    # The bureau has no step in a work injury, yet reads the case its dashboard counts.
    cases = page(bureau, injury_link)
    assert "工伤处理" in cases and "提交工伤认定材料 · 崮山派出所" in cases and "北京时间" in cases
    # The town's station reads it too (its step); the service company, with no step in it yet, does not.
    assert f'data-instance="{injury}"' in page(web_login(app, "gushan_station"), injury_link)
    assert f'data-instance="{injury}"' not in page(web_login(app, "company"), injury_link)

    # Training results, per training, its title opening the training's record.
    training_row = f'data-training="/instances/{plan["id"]}"'
    count, link = figure(text, "officer-trainings", training_row, "passed")
    assert count == 1 and link is not None  # the training's records with that result
    assert listed(bureau, link, "instances") == [
        f'<tr data-instance="{row["instance_id"]}" data-state="ended">'
    ]
    assert figure(text, "officer-trainings", training_row, "absent") == (0, None)

    # Missing undertakings: the number is the bureau's list's length.
    missing = re.search(r'id="officer-missing-undertakings">[^<]*<a href="([^"]*)">(\d+)</a>', text)
    assert missing is not None
    assert len(listed(bureau, missing.group(1), "missing-undertakings")) == int(missing.group(2))

    # A town's government sees its town only; the service company reads neither dashboard.
    town_view = page(web_login(app, "gushan_gov"), "/dashboards/officers")
    assert "博峪" not in town_view.split('id="officer-staffing"')[1].split("</table>")[0]
    assert 'id="officer-missing-undertakings"' not in town_view
    assert "只有公安分局" in page(web_login(app, "company"), "/dashboards/officers", expect=403)

    # The officer's page after a death: the contract ended that day, no pay warning.
    officer_page = page(bureau, f"/officers/{died}")
    contracts = officer_page.split('id="officer-contracts"')[1].split("</table>")[0]
    assert "履行中" not in contracts and "因公牺牲终止（2026-11-21）" in contracts
    assert "不予发放工资" not in officer_page
    resigned_page = page(bureau, f"/officers/{resigned}")
    assert (
        "辞职（2026-10-15）" in resigned_page.split('id="officer-contracts"')[1]
        and "不予发放工资" not in resigned_page
    )
    assert "不予发放工资" in page(bureau, f"/officers/{injured}")  # in service without one: still warned
