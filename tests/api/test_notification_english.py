"""Notifications over HTTP (issue 17): the English texts name the subject in English (the payroll's month,
not its Chinese subject), and a member who held a task the head handed to someone else is told whom it went
to, with the case's page to open while they may still read it."""

from __future__ import annotations

from tests.api.recruitment_steps import start_recruitment, the_task
from tests.api.test_identity import new_user
from tests.api.test_notifications import listed, of_kind
from tests.api.test_payroll import MONTH
from tests.conftest import User


def test_the_english_text_of_a_payroll_notification_names_the_payroll_in_english(
    users: dict[str, User],
) -> None:
    company = users["company"]
    company.post("/api/v1/instances", {"process_id": "payroll", "data": {"month": MONTH}}, expect=201)
    [new] = of_kind(company, "new_task")
    assert new["subject"] == "2026年11月 辅警工资"
    assert new["subject_en"] == "Auxiliary police payroll, 2026-11"
    assert new["text_en"] == (
        "New task: Submit the payroll — Auxiliary police payroll, 2026-11 (Monthly payroll)"
    )
    assert new["about_en"] == "Submit the payroll — Auxiliary police payroll, 2026-11 (Monthly payroll)"
    assert new["text_zh"] == "新任务：报送工资表——2026年11月 辅警工资（辅警工资发放）"


def test_a_member_who_loses_a_task_on_handover_is_told_whom_it_went_to(users: dict[str, User]) -> None:
    bureau, head = users["bureau"], users["bureau_head"]
    wang = new_user(users, "wang_jing", ["police_bureau"])
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")

    def hand(to: str) -> None:
        head.post(f"/api/v1/tasks/{task['id']}/reassign", {"username": to, "reason": "调整分工"})

    hand("bureau")
    bureau.post("/api/v1/notifications/read-all")
    hand("wang_jing")
    [away] = listed(bureau, unread=True)
    assert away["kind"] == "handed_away" and away["task_id"] == task["id"]
    assert (away["kind_zh"], away["kind_en"]) == ("任务已改派", "Task handed over")
    assert away["text_zh"] == "任务已改派给 wang_jing：起草用人计划——2026年农村辅警招聘（招聘流程）"
    assert away["text_en"] == (
        "Task handed over to wang_jing: Draft staffing plan — 2026年农村辅警招聘 (Recruitment)"
    )
    assert away["about_zh"].endswith("，已改派给：wang_jing")
    # The sub-bureau still reads the campaign: the notification opens the case, not the task.
    assert away["link"] == f"/instances/{task['instance_id']}"
    assert [n["kind"] for n in of_kind(wang, "reassigned")] == ["reassigned"]
    assert of_kind(head, "handed_away") == []  # to the one who held it, not to the department
