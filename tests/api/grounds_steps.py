"""Reading the grounds panels of a task through the API (issue 11, point 2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.context import ServiceContext
from service.scheduler import run_once as fire_due_timers
from tests.api.recruitment_steps import (
    applicant,
    approve_plan,
    birth_for_age,
    complete,
    publish,
    start_recruitment,
)
from tests.conftest import User
from workflows.ports import ManualClock


def panels(user: User, task_id: str) -> dict[str, dict[str, Any]]:
    """The task's grounds by panel name, in the order its model declares them (checked unique)."""
    shown = user.get(f"/api/v1/tasks/{task_id}")["grounds"]
    by_name = {p["name"]: p for p in shown}
    assert len(by_name) == len(shown), shown
    return by_name


def values(panel: dict[str, Any], lang: str = "zh") -> dict[str, str]:
    """A panel's fields as label -> value, in one language."""
    return {f[f"label_{lang}"]: f[f"value_{lang}"] for f in panel["fields"]}


def table(panel: dict[str, Any], lang: str = "zh") -> list[list[str]]:
    """A panel's table rows, headed by its column labels, in one language."""
    head = [c[f"label_{lang}"] for c in panel["columns"]]
    return [head, *([c[f"value_{lang}"] for c in row] for row in panel["rows"])]


def two_candidates_ranked(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> list[int]:
    """A published campaign with two scored applicants for 涝台村: the better one's vetting waits."""
    bureau = users["bureau"]
    today = clock.now().date()
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = int(bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"])
    ids = [
        bureau.post(
            f"/api/v1/campaigns/{campaign_id}/applications",
            applicant(n, "gs-v04", birth_for_age(today, 25)),
            expect=201,
        )["id"]
        for n in (1, 2)
    ]
    clock.advance(timedelta(days=11))
    assert fire_due_timers(ctx) == 1
    scores = [{"application_id": ids[0], "score": 95.0}, {"application_id": ids[1], "score": 70.0}]
    complete(bureau, "police_bureau", "enter_exam_scores", {"scores": scores})
    return ids
