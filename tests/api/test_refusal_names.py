"""A refusal names the person holding a task by display name, not username (issue 11, part 4)."""

from __future__ import annotations

from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User


def test_a_task_claimed_by_someone_else_names_them(users: dict[str, User]) -> None:
    bureau, head = users["bureau"], users["bureau_head"]
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")
    bureau.post(f"/api/v1/tasks/{task['id']}/claim")
    refused = head.post(f"/api/v1/tasks/{task['id']}/claim", expect=409)
    assert set(refused) >= {"code", "status", "message", "message_en"}
    assert "公安分局 王警官" in refused["message"] and "公安分局 王警官" in refused["message_en"]
    assert "bureau " not in refused["message"] + " " and "bureau " not in refused["message_en"] + " "
    completed = head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, expect=409)
    assert "公安分局 王警官" in completed["message"]
