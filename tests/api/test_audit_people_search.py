"""The auditors' search by what people know (issue 15, point 7): a display name (李科长), an action's label
(办结任务), a department's, village's or officer's name, Beijing dates and text in the data; exports with
names, labels and times with their zone. Through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import InstanceSubjectModel, OfficerModel, VillageModel
from service.usecases.demo import DEMO_USERS
from tests.api.appraisal_steps import seed
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from workflows.ports import CHINA, ManualClock

PARTY_NAME = next(user.display_name for user in DEMO_USERS if user.username == "party")  # 党群工作部 李科长
REASON = "薪酬100%达标率偏低"


def search(auditor: User, expect: int = 200, **args: Any) -> Any:
    return auditor.get(f"/api/v1/audit/events?{urlencode(args, doseq=True)}", expect=expect)


def found(auditor: User, **filters: Any) -> list[dict[str, Any]]:
    """Every matching event (newest first), page by page (the month's start alone writes over 200)."""
    items: list[dict[str, Any]] = []
    while True:
        body = search(auditor, per_page=200, page=len(items) // 200 + 1, order="newest", **filters)
        items.extend(body["items"])
        if len(body["items"]) < 200:
            assert body["total"] == len(items)
            return items


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"])


@pytest.fixture
def history(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> dict[str, Any]:
    """A month's appraisals started for every officer; a recruitment whose plan Party Affairs (李科长)
    returned at 23:30 Beijing time on 26 November and the bureau drafted again at 00:30 on the 27th; one
    officer resigned (an event naming the officer in its data, of no instance)."""
    recruitment = start_recruitment(users["bureau"])  # while every post is vacant
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    complete(users["bureau"], "police_bureau", "draft_plan", {"plan_title": "计划甲", "monthly_salary": 4000})
    clock.advance(datetime(2026, 11, 26, 15, 30, tzinfo=UTC) - clock.now())
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": REASON})
    clock.advance(timedelta(hours=1))  # 00:30 on the 27th in Beijing
    complete(users["bureau"], "police_bureau", "draft_plan", {"plan_title": "计划乙", "monthly_salary": 4600})
    with ctx.database.reading() as session:
        officer = session.scalars(select(OfficerModel).order_by(OfficerModel.id).limit(1)).one()
        village = session.get(VillageModel, officer.village_code)
        assert village is not None
        in_village = set(
            session.scalars(
                select(InstanceSubjectModel.instance_id).where(
                    InstanceSubjectModel.kind == "officer",
                    InstanceSubjectModel.ref.in_(
                        select(OfficerModel.id).where(OfficerModel.village_code == village.code)
                    ),
                )
            )
        )
        about_officer = set(
            session.scalars(
                select(InstanceSubjectModel.instance_id).where(
                    InstanceSubjectModel.kind == "officer", InstanceSubjectModel.ref == officer.id
                )
            )
        )
        namesakes = session.scalars(select(OfficerModel.id).where(OfficerModel.name == officer.name)).all()
    today = clock.now().astimezone(CHINA).date()
    users["bureau_head"].post(
        f"/api/v1/officers/{officer.id}/status",
        {"status": "resigned", "on": today.isoformat(), "reason": "本人申请辞职"},
    )
    return {
        "recruitment": recruitment["id"],
        "officer": officer,
        "village": village,
        "in_village": in_village,
        "about_officer": about_officer,
        "namesakes": namesakes,
    }


def test_search_by_names_labels_and_dates(users: dict[str, User], history: dict[str, Any]) -> None:
    auditor = users["auditor"]
    everything = found(auditor)
    assert [at(e) for e in everything] == sorted((at(e) for e in everything), reverse=True)  # newest first

    # A person by part of the display name: 李科长 is the username ``party``.
    by_li = found(auditor, person="李科长")
    assert by_li and {e["actor"] for e in by_li} == {"party"}
    assert found(auditor, person=PARTY_NAME) == by_li
    assert found(auditor, person="科长") and {e["actor"] for e in found(auditor, person="科长")} == {
        "party",
        "finance",
    } & {e["actor"] for e in everything}
    assert found(auditor, person="没有这个人") == []

    # An action by its label, Chinese or English, chosen from the list or typed.
    completed = found(auditor, action_label="办结任务")
    assert [(e["actor"], e["payload"]["element"]) for e in completed] == [
        ("bureau", "draft_plan"),
        ("party", "review_plan"),
        ("bureau", "draft_plan"),
    ]
    assert found(auditor, action_label="Complete task") == completed
    assert found(auditor, action_label="办结") == completed
    assert found(auditor, actions="task_completed") == completed
    both = found(auditor, actions=["task_completed", "officer_status_changed"])
    assert {e["action"] for e in both} == {"task_completed", "officer_status_changed"}
    assert found(auditor, person="李科长", action_label="办结任务") == [completed[1]]  # AND

    # A department by name or code: its events and its tasks'.
    party = found(auditor, department="党群")
    assert party and {e["department_code"] for e in party} == {"party_affairs"}
    assert found(auditor, department="party_affairs") == party
    assert found(auditor, department="mass work") == party  # the English name, any case
    assert {e["action"] for e in party} >= {"task_ready", "task_completed"}

    # A village by name: the events of the instances about its officers, and none of the recruitment.
    village = history["village"]
    of_village = found(auditor, village=village.name_zh)
    instances = {e["instance_id"] for e in of_village if e["instance_id"]}
    assert instances == history["in_village"] and len(instances) >= 1
    assert history["recruitment"] not in instances
    assert found(auditor, village=village.name_en) == of_village

    # An officer by name: the instances about the officer and the status change naming the officer.
    officer = history["officer"]
    of_officer = found(auditor, officer=officer.name)
    assert {"instance_started", "officer_status_changed"} <= {e["action"] for e in of_officer}
    resigned = [e for e in of_officer if e["action"] == "officer_status_changed"]
    assert [e["payload"]["officer_id"] for e in resigned] == [officer.id]
    if len(history["namesakes"]) == 1:
        assert {e["instance_id"] for e in of_officer if e["instance_id"]} == history["about_officer"]
    assert found(auditor, officer=officer.name, village=village.name_zh) == [
        e for e in of_officer if e["instance_id"] in history["in_village"]
    ]


def test_dates_are_beijing_days_and_text_is_literal(users: dict[str, User], history: dict[str, Any]) -> None:
    auditor = users["auditor"]
    # 2026-11-26 15:30 UTC is 23:30 on the 26th in Beijing; 16:30 UTC is 00:30 on the 27th.
    on_26th = found(auditor, action_label="办结任务", date_from="2026-11-26", date_to="2026-11-26")
    assert [(e["actor"], at(e)) for e in on_26th] == [
        ("party", datetime(2026, 11, 26, 15, 30, tzinfo=UTC)),
        ("bureau", datetime(2026, 11, 26, 1, 0, tzinfo=UTC)),
    ]
    on_27th = found(auditor, action_label="办结任务", date_from="2026-11-27")
    assert [(e["actor"], at(e)) for e in on_27th] == [("bureau", datetime(2026, 11, 26, 16, 30, tzinfo=UTC))]
    assert found(auditor, action_label="办结任务", date_to="2026-11-25") == []

    # Free text in the data: % and _ are the characters themselves, not wildcards.
    reviewed = found(auditor, text="100%达标")
    assert [(e["actor"], e["payload"]["submitted"]["reason"]) for e in reviewed] == [("party", REASON)]
    assert found(auditor, text="100_达标") == []
    assert found(auditor, text="薪酬1%") == []
    percent = found(auditor, text="%")
    assert percent and all("%" in json.dumps(e["payload"], ensure_ascii=False) for e in percent)
    assert len(percent) < len(found(auditor))
    assert found(auditor, text="计划乙")
    assert found(auditor, text="PLAN_TITLE") == found(auditor, text="plan_title")


BAD = [
    ({"person": "李" * 101}, "person"),
    ({"text": ""}, "text"),
    ({"village": "a\x00b"}, "village"),
    ({"actions": "no_such_action"}, "actions"),
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "2026-11-27", "date_to": "2026-11-26"}, "date_from"),
    ({"order": "random"}, "order"),
]


def test_bad_values_are_422_naming_the_field(users: dict[str, User]) -> None:
    for args, field in BAD:
        body = search(users["auditor"], expect=422, **args)
        assert body["code"] == 422 and field in {key.split(".")[0] for key in body["errors"]}, body


def download(auditor: User, fmt: str, **filters: Any) -> str:
    query = urlencode({"format": fmt, **filters}, doseq=True)
    response = auditor.client.get(f"/api/v1/audit/events/export?{query}", headers=auditor._headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_exports_carry_names_labels_and_zoned_times(users: dict[str, User], history: dict[str, Any]) -> None:
    auditor = users["auditor"]
    rows = list(csv.reader(io.StringIO(download(auditor, "csv", person="李科长").lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["序号", "时间（北京时间）", "操作人", "操作人账号（代码）", "操作", "操作（代码）"]
    assert body and len(body) == search(auditor, person="李科长")["total"]
    assert {(row[2], row[3]) for row in body} == {(PARTY_NAME, "party")}
    review = next(row for row in body if row[5] == "task_completed")
    assert review[1] == "2026-11-26T23:30:00+08:00" and review[4] == "办结任务"
    assert (review[8], review[9]) == ("党群工作部", "party_affairs")
    assert all(row[1].endswith("+08:00") for row in body)

    lines = [json.loads(line) for line in download(auditor, "jsonl", action_label="办结任务").splitlines()]
    assert [line["at_beijing"] for line in lines] == [
        "2026-11-26T09:00:00+08:00",
        "2026-11-26T23:30:00+08:00",
        "2026-11-27T00:30:00+08:00",
    ]
    assert [(line["actor_name"], line["action_label"]) for line in lines][1] == (PARTY_NAME, "办结任务")
    assert all(line["action"] == "task_completed" and line["at"].endswith("+00:00") for line in lines)
    # The filters of the search, on the export too.
    assert len(download(auditor, "jsonl", village=history["village"].name_zh).splitlines()) == len(
        found(auditor, village=history["village"].name_zh)
    )


ODD = ["\\", "'", '"', "%_\\%", "%", "_", "a b", "李'--", "🙂", "x" * 100]


def test_odd_text_is_searched_literally_never_a_server_error(users: dict[str, User]) -> None:
    auditor = users["auditor"]
    for odd in ODD:
        for field in ("person", "department", "village", "officer", "action_label", "text"):
            body = search(auditor, **{field: odd})
            assert body["total"] == len(body["items"]), (field, odd)
            if field in ("department", "village", "officer") or (field == "person" and "_" not in odd):
                assert body["total"] == 0, (field, odd)  # no name holds these characters: none is a wildcard
