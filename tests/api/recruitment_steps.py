"""Steps of a recruitment run through the HTTP API, shared by the end-to-end and restart tests."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from tests.conftest import User


def open_tasks(user: User, department: str, spec_name: str | None = None) -> list[dict[str, Any]]:
    items = user.get(f"/api/v1/queues/{department}/tasks?per_page=200")["items"]
    return [t for t in items if spec_name is None or t["spec_name"] == spec_name]


def the_task(user: User, department: str, spec_name: str) -> dict[str, Any]:
    tasks = open_tasks(user, department, spec_name)
    assert len(tasks) == 1, (spec_name, tasks)
    return tasks[0]


# post_hiring.bpmn requires a file attached at these tasks before they complete (``requiresAttachment``,
# issue 15): the vetting file and the signed contract. The steps attach this one-page PDF first.
NEEDS_FILE = frozenset({"vet_candidate", "sign_contract"})
SMALL_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def attach(
    user: User, task_id: str, content: bytes = SMALL_PDF, name: str = "材料.pdf", expect: int = 201
) -> Any:
    """Upload a file at a task (multipart), as its page or a client does."""
    response = user.client.post(
        f"/api/v1/tasks/{task_id}/attachments",
        data={"file": (io.BytesIO(content), name)},
        headers=user._headers(),
        content_type="multipart/form-data",
    )
    assert response.status_code == expect, (task_id, response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def submit(user: User, task: dict[str, Any], data: dict[str, Any], expect: int = 200) -> Any:
    """Complete ``task`` (a queue row) with ``data``, attaching the file its model requires first."""
    if task["spec_name"] in NEEDS_FILE:
        attach(user, task["id"])
    return user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data}, expect=expect)


def complete(user: User, department: str, spec_name: str, data: dict[str, Any], expect: int = 200) -> Any:
    return submit(user, the_task(user, department, spec_name), data, expect=expect)


CAMPAIGN_NAME = "2026年农村辅警招聘"


def start_recruitment(
    bureau: User, key: str = "2026-recruitment", name: str = CAMPAIGN_NAME
) -> dict[str, Any]:
    """Start a campaign as the bureau's head (recruitment.bpmn: ``startedBy="heads:police_bureau"``),
    whichever bureau member ``bureau`` is: the tests go on with that member's work."""
    head = User(bureau.client, "bureau_head")
    body = {"process_id": "recruitment", "business_key": key, "data": {"subject": name}}
    return head.post("/api/v1/instances", body, expect=201)


def approve_plan(users: dict[str, User]) -> None:
    complete(
        users["bureau"],
        "police_bureau",
        "draft_plan",
        {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200},
    )
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})
    complete(users["finance"], "finance", "confirm_funding", {"decision": "approve"})


def publish(bureau: User, today: date, days: int = 10) -> None:
    complete(
        bureau,
        "police_bureau",
        "publish_announcement",
        {
            "registration_start": today.isoformat(),
            "registration_end": (today + timedelta(days=days)).isoformat(),
            "announcement": "威海经济技术开发区公开招聘农村辅警公告",
        },
    )


def resident_id(n: int, birth: date) -> str:
    """A valid resident ID number (GB 11643) for applicant ``n`` born on ``birth``: area 3710xx (Weihai),
    the birth date, a 3-digit sequence, and the MOD 11-2 check character worked out here, on its own."""
    first_17 = f"3710{2 + n // 1000 % 90:02d}{birth:%Y%m%d}{n % 1000:03d}"
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(first_17))
    return first_17 + "10X98765432"[total % 11]


def applicant(n: int, village_code: str, birth: date, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": f"应聘人{n:03d}",
        "id_number": resident_id(n, birth),
        "birth_date": birth.isoformat(),
        "village_code": village_code,
        "nationality": "CN",
        "weihai_residence": True,
        "education": "high_school",
        "healthy": True,
        "good_conduct": True,
    }
    base.update(overrides)
    return base


def birth_for_age(today: date, age: int) -> date:
    """A birth date making the applicant exactly ``age`` today (birthday 10 days ago)."""
    anchor = today - timedelta(days=10)
    try:
        return anchor.replace(year=anchor.year - age)
    except ValueError:  # 29 February
        return anchor.replace(year=anchor.year - age, day=28)
