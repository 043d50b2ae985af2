"""The list of cases (issue 17) on SQLite and PostgreSQL: the instances a person may read by process, step,
town and state (open, ended, archived), paginated, with the steps each open case waits at; every open-case
number of the officers' dashboard and each training result's, for the sub-bureau, a chosen town and a town's
station, is the total of the list its link opens."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from service.context import ServiceContext
from service.usecases.retention import archive_finished
from tests.api.recruitment_steps import attach
from tests.api.test_api_errors import assert_error_shape
from tests.api.test_dashboard_counts import page
from tests.api.test_training import BULK, PLAN, start_training, start_undertaking, task_of_instance
from tests.api.test_welfare import DEATH, officers, report_injury
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from workflows.ports import ManualClock

CASES = "/api/v1/instances"


def ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_the_list_of_cases_filters_by_process_step_town_and_state_for_those_who_may_read_them(
    app: Flask, ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    first, second, died, signed = officers(ctx, 4)[-4:]
    injuries = [report_injury(users, first), report_injury(users, second)]
    bureau, station, company, auditor = (users[u] for u in ("bureau", "gushan_station", "company", "auditor"))
    death = int(station.post(f"/api/v1/officers/{died}/deaths", {"data": DEATH}, expect=201)["id"])
    undertaking = start_undertaking(bureau, signed)["id"]
    task = task_of_instance(bureau, "register_undertaking", undertaking)
    attach(bureau, task["id"], name="保密承诺书-签字.pdf")
    bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"signed_on": "2026-11-20"}})

    # By process and step, newest first, each with the step it waits at.
    at_step = f"{CASES}?process_id=work_injury&step=submit_injury_materials&state=open"
    listed = bureau.get(at_step)
    assert ids(listed) == injuries[::-1] and listed["total"] == 2
    [step] = listed["items"][0]["current_steps"]
    assert step["spec_name"] == "submit_injury_materials"
    assert step["department_code"] == "police_station:gushan" and step["name_zh"] == "提交工伤认定材料"
    assert listed["items"][0]["state"] == "open"
    # Paginated: the total stays, one a page.
    assert ids(bureau.get(f"{at_step}&per_page=1&page=2")) == [injuries[0]]
    assert bureau.get(f"{at_step}&per_page=1")["total"] == 2
    # Who may read them: the station (its step), the bureau (an officer case), an auditor; not the company.
    assert ids(station.get(at_step)) == injuries[::-1] and ids(auditor.get(at_step)) == injuries[::-1]
    assert company.get(at_step) == {"items": [], "total": 0, "page": 1, "per_page": 50}
    # The town the case is of.
    assert bureau.get(f"{at_step}&town=boyu")["total"] == 0
    assert bureau.get(f"{at_step}&town=gushan")["total"] == 2
    # A step the case is not at, an other process's step.
    assert bureau.get(f"{CASES}?process_id=death_on_duty&step=submit_injury_materials")["total"] == 0
    assert ids(bureau.get(f"{CASES}?process_id=death_on_duty&state=open")) == [death]

    # Ended, then archived: each state lists only its own.
    ended = bureau.get(f"{CASES}?process_id=confidentiality_undertaking&state=ended")
    assert ids(ended) == [undertaking] and ended["items"][0]["current_steps"] == []
    assert bureau.get(f"{CASES}?process_id=confidentiality_undertaking&state=open")["total"] == 0
    assert bureau.get(f"{CASES}?process_id=confidentiality_undertaking&state=archived")["total"] == 0
    clock.advance(timedelta(days=3))
    assert archive_finished(ctx, "system", older_than_days=1).archived >= 1
    archived = bureau.get(f"{CASES}?process_id=confidentiality_undertaking&state=archived")
    assert ids(archived) == [undertaking] and archived["items"][0]["state"] == "archived"
    assert bureau.get(f"{CASES}?process_id=confidentiality_undertaking&state=ended")["total"] == 0
    refused = bureau.get(f"{CASES}?state=closed", expect=422)
    assert_error_shape(refused, 422)
    assert "open, ended, archived" in refused["errors"]["state"][0]

    # The page: names not codes, Beijing time, the archived filter; in English too.
    web = web_login(app, "bureau")
    text = page(web, "/instances?process=confidentiality_undertaking&state=archived")
    assert f'<tr data-instance="{undertaking}" data-state="archived">' in text
    assert "保密承诺书登记" in text and "已归档" in text and "北京时间" in text
    assert 'value="archived" selected' in text
    text = page(web, "/instances?process=work_injury&step=submit_injury_materials&state=open")
    assert "提交工伤认定材料 · 崮山派出所" in text and "（2）" in text  # the step and how many wait there
    english = {"lang": "en", "csrf_token": csrf(web, "/instances")}
    assert web.post("/language", data=english).status_code == 302
    text = page(web, "/instances?process=work_injury&state=open")
    assert "Work injury" in text and "Beijing time" in text and "Open" in text


def _open_case_links(text: str) -> list[tuple[str, int]]:
    return [
        (link, int(n))
        for link, n in re.findall(
            r'<tr data-process="[a-z_]+" data-step="[a-z_]+">.*?<a href="([^"]*)">(\d+)</a>', text, re.S
        )
    ]


def _training_links(text: str) -> list[tuple[str, int]]:
    body = text.split('id="officer-trainings"')[1].split("</table>")[0]
    return [(link, int(n)) for link, n in re.findall(r'data-col="[a-z]+"><a href="([^"]*)">(\d+)</a>', body)]


def test_each_open_case_number_of_the_officers_dashboard_is_the_total_of_its_list(
    app: Flask, ctx: ServiceContext, users: dict[str, User]
) -> None:
    first, second, died = officers(ctx, 3)[-3:]
    report_injury(users, first)
    report_injury(users, second)
    users["gushan_station"].post(f"/api/v1/officers/{died}/deaths", {"data": DEATH}, expect=201)
    # A training of the two, one passed and one failed.
    plan = start_training(users["bureau"], {**PLAN, "cohort_officers": [first, second]})["id"]
    approval = task_of_instance(users["bureau_head"], "approve_training_plan", plan)
    users["bureau_head"].post(f"/api/v1/tasks/{approval['id']}/complete", {"data": {"approve": True}})
    rows = {row["officer_id"]: row["task_id"] for row in users["bureau"].get(f"{BULK}/bulk")["rows"]}
    results = {first: "passed", second: "failed"}
    items = [
        {"task_id": rows[o], "data": {"attended": True, "result": r, "remarks": ""}}
        for o, r in results.items()
    ]
    users["bureau"].post(f"{BULK}/bulk-complete", {"items": items})
    records = f"/api/v1/instances?business_key={plan}/&result=passed"
    assert [i["business_key"] for i in users["bureau"].get(records)["items"]] == [f"{plan}/{first}"]
    readers = (("bureau", ""), ("bureau", "?town=gushan"), ("gushan_station", ""))
    for reader, where in readers:
        client = web_login(app, reader)
        dashboard = page(client, f"/dashboards/officers{where}")
        links = _open_case_links(dashboard)
        assert links, (reader, where)
        trained = _training_links(dashboard)
        # The training's records by result, for the bureau; a town's station does not read them.
        assert len(trained) == (0 if reader == "gushan_station" else 2), (reader, trained)
        links += trained
        for link, count in links:
            text = page(client, link)
            total = re.search(r'id="instances-total">共 (\d+) 件', text)
            assert total is not None and int(total.group(1)) == count, (reader, link)
            assert text.count("<tr data-instance=") == count
