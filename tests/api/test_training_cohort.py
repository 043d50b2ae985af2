"""A training's cohort as a bureau planner chooses it (issue 17), over HTTP on SQLite and PostgreSQL: officers
chosen by name, the officers not trained yet (never attended, or without a passed result), each criterion
holding together with the town; a chosen officer the criteria leave out is refused by name beside the list,
on the API and on the page; the approver reads the criteria."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from service.context import ServiceContext
from tests.api.test_dashboard_counts import page
from tests.api.test_training import (
    BULK,
    PLAN,
    start_training,
    task_of_instance,
    two_gushan_officers_and_one_in_boyu,
)
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login

OPEN_PLAN = {key: value for key, value in PLAN.items() if key != "cohort_town"}  # every town


def approve(users: dict[str, User], plan: int) -> list[int]:
    """Approve the plan; the officers it enrolled."""
    head = users["bureau_head"]
    task = task_of_instance(head, "approve_training_plan", plan)
    head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"approve": True}})
    cohort = users["bureau"].get(f"/api/v1/instances/{plan}")["data"]["cohort"]
    return sorted(officer["officer_id"] for officer in cohort["officers"])


def grounds(users: dict[str, User], plan: int) -> dict[str, Any]:
    head = users["bureau_head"]
    task = task_of_instance(head, "approve_training_plan", plan)
    [panel] = head.get(f"/api/v1/tasks/{task['id']}")["grounds"]
    return {f["label_zh"]: f["value_zh"] for f in panel["fields"]}


def test_a_cohort_of_officers_chosen_by_name_or_not_trained_yet(
    app: Flask, ctx: ServiceContext, users: dict[str, User]
) -> None:
    first, second, boyu = two_gushan_officers_and_one_in_boyu(ctx)
    bureau = users["bureau"]
    name = {o: bureau.get(f"/api/v1/officers/{o}")["name"] for o in (first, second, boyu)}

    # Two officers chosen by name; one passes, the other attends and fails.
    chosen = start_training(bureau, {**OPEN_PLAN, "cohort_officers": [first, second]})["id"]
    assert "指定 2 人" in grounds(users, chosen)["参训范围"]
    assert approve(users, chosen) == [first, second]
    rows = {row["officer_id"]: row for row in bureau.get(f"{BULK}/bulk")["rows"]}
    items = [
        {"task_id": rows[first]["task_id"], "data": {"attended": True, "result": "passed", "remarks": ""}},
        {"task_id": rows[second]["task_id"], "data": {"attended": True, "result": "failed", "remarks": ""}},
    ]
    bureau.post(f"{BULK}/bulk-complete", {"items": items})

    # Not trained yet: without a passed result (the one who failed, the one never trained) ...
    not_passed = start_training(bureau, {**OPEN_PLAN, "cohort_untrained": "not_passed"})["id"]
    assert grounds(users, not_passed)["参训范围"] == "全区在岗辅警，尚无合格的培训结果"
    assert approve(users, not_passed) == [second, boyu]
    # ... or never attended one; with the town, both must hold.
    never = start_training(bureau, {**OPEN_PLAN, "cohort_untrained": "never_attended"})["id"]
    assert approve(users, never) == [boyu]
    refused = start_training(bureau, {**PLAN, "cohort_untrained": "never_attended"}, expect=422)
    assert "没有在岗辅警" in refused["message"]

    # A chosen officer the criteria leave out is refused by name, beside the list.
    refused = start_training(
        bureau, {**PLAN, "cohort_officers": [first, boyu]}, expect=422
    )  # Boyu's officer is not of Gushan
    assert name[boyu] in refused["message"] and name[first] not in refused["message"]
    assert name[boyu] in refused["errors"]["cohort_officers"][0]
    refused = start_training(
        bureau, {**OPEN_PLAN, "cohort_untrained": "not_passed", "cohort_officers": [first]}, expect=422
    )
    assert name[first] in refused["message"]
    assert "#9999" in start_training(bureau, {**OPEN_PLAN, "cohort_officers": [9999]}, expect=422)["message"]
    assert "cohort_officers" in str(
        start_training(bureau, {**OPEN_PLAN, "cohort_officers": ["x"]}, expect=422)
    )
    assert "cohort_untrained" in str(
        start_training(bureau, {**OPEN_PLAN, "cohort_untrained": "no"}, expect=422)
    )

    # The page: the officers by name with village and town; a refusal beside the list, in the page's words.
    web = web_login(app, "bureau")
    form = page(web, "/processes/training/start")
    boxes = re.findall(
        r'<input type="checkbox" name="cohort_officers" value="(\d+)"[^>]*> ([^<]+)</label>', form
    )
    assert {int(value) for value, _label in boxes} == {first, second, boyu}
    assert any(label.startswith(f"{name[boyu]}（泊于镇") for _value, label in boxes)
    assert "只含尚无合格培训结果的辅警" in form
    posted = {
        **{key: value for key, value in PLAN.items()},
        "cohort_officers": [str(boyu), str(first)],
        "csrf_token": csrf(web, "/processes/training/start"),
    }
    with web.post("/processes/training/start", data=posted) as response:
        assert response.status_code == 422
        text = response.get_data(as_text=True)
    error = re.search(r'id="error-in-cohort_officers">([^<]+)<', text)
    assert error is not None and name[boyu] in error.group(1) and "不在参训范围内" in error.group(1)
    assert re.search(rf'value="{first}"[^>]*checked', text)  # what was ticked stays ticked
    posted["cohort_officers"] = [str(first)]
    with web.post("/processes/training/start", data=posted) as response:
        assert response.status_code == 302
