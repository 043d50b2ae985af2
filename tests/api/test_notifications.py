"""Notifications inside the app (issue 15, point 5), over HTTP on SQLite and PostgreSQL.

New tasks notify their departments in the transaction that creates them; a staffing plan returned for
redraft notifies the one who drafted it, naming who returned it; a head's handover notifies the member the
task goes to, naming the head; a migration that moves a waiting task to another step or queue notifies
whoever has it now; the scheduler's round raises due-tomorrow, due-today and overdue once per task; an
escalation reaches the heads only. Reading marks read; another's notification is not found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from service.usecases.notifications.raising import notify_due
from tests.api import test_instance_migration as migration
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.clean_form_steps import PLAN
from tests.api.recruitment_steps import complete, open_tasks, start_recruitment, the_task
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
STATION = "police_station:gushan"
TOWN = "town_gov:gushan"


def listed(user: User, unread: bool = False) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = user.get(f"/api/v1/notifications?per_page=200&page={page}&unread={str(unread).lower()}")
        items.extend(body["items"])
        if page * 200 >= body["total"]:
            assert len(items) == body["total"]
            return items
        page += 1


def unread(user: User) -> int:
    return int(user.get("/api/v1/notifications/count")["unread"])


def of_kind(user: User, kind: str) -> list[dict[str, Any]]:
    return [item for item in listed(user) if item["kind"] == kind]


def test_a_month_start_notifies_the_station_and_town_staff_and_reading_marks_read(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    station, town, boyu = users["gushan_station"], users["gushan_gov"], users["boyu_station"]
    scores = {task["id"]: task for task in tasks_of(station, STATION, "station_score")}
    town_scores = {task["id"] for task in tasks_of(town, TOWN, "town_score")}
    assert len(scores) == 24 and len(town_scores) == 24

    mine = listed(station)
    assert {item["task_id"] for item in mine} == set(scores)
    assert {item["kind"] for item in mine} == {"new_task"} and not any(item["read"] for item in mine)
    assert unread(station) == 24 == unread(users["gushan_station_head"])
    assert {item["task_id"] for item in listed(town)} == town_scores
    first = mine[0]
    task = scores[first["task_id"]]
    # Names, not codes: the task's name, whom it is about and the process, in both languages.
    assert first["text_zh"].startswith("新任务：派出所日常管理考核——")
    assert task["subject"] in first["text_zh"] and "月度考核" in first["text_zh"]
    assert first["text_en"].startswith("New task: Police station appraisal — ")
    assert "appraisal" not in first["text_zh"] and first["link"] == f"/tasks/{task['id']}"
    assert unread(users["bureau"]) == 0 and listed(users["bureau"]) == []

    # Another's notification is as unknown as a missing one, for reading and for marking.
    boyu.post(f"/api/v1/notifications/{first['id']}/read", expect=404)
    assert unread(station) == 24

    read = station.post(f"/api/v1/notifications/{first['id']}/read")
    assert read["read"] is True and read["id"] == first["id"]
    station.post(f"/api/v1/notifications/{first['id']}/read")  # again: no change
    assert unread(station) == 23
    assert unread(users["gushan_station_head"]) == 24  # read state is each person's own
    assert first["id"] not in {item["id"] for item in listed(station, unread=True)}
    assert len(listed(station, unread=True)) == 23

    assert station.post("/api/v1/notifications/read-all")["marked"] == 23
    assert unread(station) == 0 and listed(station, unread=True) == []
    assert all(item["read"] for item in listed(station))
    assert unread(town) == 24


def test_a_returned_staffing_plan_notifies_its_drafter(users: dict[str, User]) -> None:
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    assert [item["kind"] for item in listed(bureau)] == ["new_task"]  # 编制招聘计划
    bureau.post("/api/v1/notifications/read-all")
    complete(bureau, "police_bureau", "draft_plan", PLAN)
    review = of_kind(party, "new_task")
    assert len(review) == 1 and review[0]["task_id"] == the_task(party, "party_affairs", "review_plan")["id"]

    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬标准偏低"})
    redraft = the_task(bureau, "police_bureau", "draft_plan")
    returned = listed(bureau, unread=True)
    assert [item["kind"] for item in returned] == ["returned"]
    assert returned[0]["task_id"] == redraft["id"]
    assert returned[0]["text_zh"].endswith("退回人：党群工作部 李科长")
    assert returned[0]["text_en"].startswith("Returned to you: ")
    # To the drafter, not to the whole bureau: the head sees no return of someone else's draft.
    assert "returned" not in {item["kind"] for item in listed(users["bureau_head"])}


def test_due_tomorrow_once_then_overdue_and_the_escalation_for_the_head(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    staff, head = users["gushan_station"], users["gushan_station_head"]
    scores = tasks_of(staff, STATION, "station_score")
    due = datetime.fromisoformat(scores[0]["due_at"])
    assert due == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # the end of 5 December, Beijing time
    claimed = scores[0]["id"]
    staff.post(f"/api/v1/tasks/{claimed}/claim")

    assert notify_due(ctx) == 0  # 26 November: nothing is due tomorrow
    clock.advance(datetime(2026, 12, 3, 23, 0, tzinfo=UTC) - clock.now())  # 07:00 on 4 December, Beijing
    raised = notify_due(ctx)
    # Every station and town scoring task of both towns due tomorrow, and every officer's field report
    # (due on 1 December) overdue.
    assert raised == 46 * 2 + 46
    assert notify_due(ctx) == 0  # a second round raises nothing again
    tomorrow = of_kind(staff, "due_tomorrow")
    assert len(tomorrow) == 24 and tomorrow[0]["text_zh"].startswith("明天到期：")
    # The claimed task's reminder goes to whoever claimed it, the others' to the station.
    to_station = {item["task_id"] for item in of_kind(head, "due_tomorrow")}
    assert to_station == {t["id"] for t in scores} - {claimed}
    assert claimed in {item["task_id"] for item in of_kind(staff, "due_tomorrow")}

    clock.advance(timedelta(days=1))  # 07:00 on 5 December, Beijing: the day they are due
    assert notify_due(ctx) == 46 * 2 and notify_due(ctx) == 0
    today = of_kind(staff, "due_today")
    assert len(today) == 24 and {item["task_id"] for item in of_kind(head, "due_today")} == to_station
    assert today[0]["kind_zh"] == "今日到期" and today[0]["text_zh"].startswith(
        "今日到期：派出所日常管理考核——"
    )
    assert today[0]["text_en"].startswith("Due today: Police station appraisal — ")
    assert today[0]["link"] == f"/tasks/{today[0]['task_id']}"

    clock.advance(due - clock.now() + timedelta(hours=1))
    assert fire_due_timers(ctx) > 0
    assert notify_due(ctx) == 46 * 2
    assert notify_due(ctx) == 0
    overdue = of_kind(head, "overdue")
    assert len(overdue) == 24 and len(of_kind(staff, "overdue")) == 24
    escalations = of_kind(head, "escalation")
    assert len(escalations) == 24 and escalations[0]["text_zh"].startswith("逾期督办：派出所考核逾期督办")
    assert of_kind(staff, "escalation") == []  # head-only
    assert len(of_kind(users["gushan_gov_head"], "escalation")) == 24
    boyu = {item["task_id"] for item in of_kind(users["boyu_station_head"], "escalation")}
    assert len(boyu) == 22 and not boyu & {item["task_id"] for item in escalations}


def test_bad_arguments_are_refused_in_the_one_error_shape(users: dict[str, User]) -> None:
    staff = users["gushan_station"]
    body = staff.get("/api/v1/notifications?per_page=0", expect=422)
    assert set(body["errors"]) == {"per_page"} and body["message_en"]
    assert staff.post("/api/v1/notifications/2147483647/read", expect=404)["message_en"]
    assert users["designer"].get("/api/v1/notifications/count") == {"unread": 0, "capped": False}


def test_a_handover_notifies_the_member_it_goes_to(users: dict[str, User]) -> None:
    bureau, head = users["bureau"], users["bureau_head"]
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")
    bureau.post("/api/v1/notifications/read-all")

    def hand(to: str) -> None:
        head.post(f"/api/v1/tasks/{task['id']}/reassign", {"username": to, "reason": "王警官负责本次招聘"})

    hand("bureau")
    [given] = listed(bureau, unread=True)
    assert given["kind"] == "reassigned" and given["task_id"] == task["id"]
    assert given["link"] == f"/tasks/{task['id']}"
    assert given["text_zh"] == "改派给您：起草用人计划——2026年农村辅警招聘（招聘流程），改派人：公安分局 局长"
    assert given["text_en"].startswith("Handed to you: ") and given["text_en"].endswith(
        "handed over by 公安分局 局长"
    )
    assert of_kind(head, "reassigned") == []  # to the member, not to the department
    bureau.post("/api/v1/notifications/read-all")

    hand("bureau_head")  # the head takes it over: only the member who held it is told, whom it went to
    assert of_kind(head, "reassigned") == []
    assert [item["kind"] for item in listed(bureau, unread=True)] == ["handed_away"]
    bureau.post("/api/v1/notifications/read-all")
    hand("bureau")  # given back: told again, unread though everything so far was marked read
    [again] = listed(bureau, unread=True)
    assert again["kind"] == "reassigned" and again["id"] > given["id"]
    assert [item["id"] for item in of_kind(bureau, "reassigned")] == [again["id"]]  # the earlier one is gone


def test_a_migration_that_moves_a_waiting_task_notifies_who_has_it_now(users: dict[str, User]) -> None:
    designer, bureau, party = users["designer"], users["bureau"], users["party"]
    v1 = migration.deploy(designer, migration.V1)
    kept, moved = migration.start(bureau, "kept"), migration.start(bureau, "moved")
    [held] = [t for t in open_tasks(bureau, "police_bureau", "task_a") if t["instance_id"] == kept]
    bureau.post(f"/api/v1/tasks/{held['id']}/claim")
    bureau.post("/api/v1/notifications/read-all")
    # Version 2 renames task A and puts it in Party Affairs' lane.
    files = migration.model([("task_a", "甲（复核）"), ("task_b", "乙")])
    lanes = files["migration_probe.bpmn"].replace("<bpmn:flowNodeRef>task_a</bpmn:flowNodeRef>", "")
    files["migration_probe.bpmn"] = lanes.replace(
        "</bpmn:laneSet>",
        '<bpmn:lane id="party_lane" name="party_affairs"><bpmn:flowNodeRef>task_a</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>",
    )
    [definition] = designer.post("/api/v1/definitions", {"files": files}, expect=201)
    body = migration.request(v1, definition["id"], instances=[moved])
    assert [row["migrated"] for row in designer.post("/api/v1/migrations", body)] == [True]

    [note] = of_kind(party, "moved")
    [task] = [t for t in open_tasks(party, "party_affairs", "task_a") if t["instance_id"] == moved]
    assert note["task_id"] == task["id"] and note["link"] == f"/tasks/{task['id']}"
    assert note["text_zh"].startswith("流程调整转来：甲（复核）")
    assert note["text_zh"].endswith("（迁移探针），现由党群工作部办理，调整人：流程设计 吴工")
    assert "now with Party and Mass Work Dept." in note["text_en"] and note["text_en"].endswith(
        "moved by 流程设计 吴工"
    )
    assert unread(bureau) == 0  # no longer the bureau's: nothing to tell it

    # A renamed step in the same queue: whoever claimed the task is told, the task stays theirs.
    v3 = migration.deploy(designer, [("task_a", "甲（新）"), ("task_b", "乙")])
    body = migration.request(v1, v3, instances=[kept])
    assert [row["migrated"] for row in designer.post("/api/v1/migrations", body)] == [True]
    [renamed] = listed(bureau, unread=True)
    assert renamed["kind"] == "moved" and renamed["task_id"] == held["id"]
    assert renamed["text_zh"].startswith("流程调整转来：甲（新）") and "现由" not in renamed["text_zh"]
    assert bureau.get(f"/api/v1/tasks/{held['id']}")["claimed_by"] == "bureau"
    assert of_kind(users["bureau_head"], "moved") == []
