"""Steps of a monthly appraisal through the HTTP API, shared by the appraisal tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from service.context import ServiceContext
from service.persistence.appraisal_counts import rebuild
from service.persistence.models import AppraisalRecordModel, OfficerModel
from service.usecases.demo import seed_officers
from tests.conftest import User

FORMS = Path(__file__).resolve().parents[2] / "forms"


def rubric(form: str, field: str, ratio: float) -> dict[str, int]:
    """Score every rubric item of ``form`` at ``ratio`` of its maximum (the maxima are the weights)."""
    items = json.loads((FORMS / form).read_text(encoding="utf-8"))["properties"][field]["properties"]
    return {key: round(spec["maximum"] * ratio) for key, spec in items.items()}


def seed(ctx: ServiceContext) -> None:
    with ctx.database.transaction() as session:
        assert seed_officers(ctx, session) == 46


def add_officers(ctx: ServiceContext, count: int) -> None:
    """Put ``count`` synthetic officers in service in one Gushan village (volume and stress tests)."""
    with ctx.database.transaction() as session:
        session.execute(
            insert(OfficerModel),
            [
                {
                    "application_id": None,
                    "name": f"测试辅警{n:05d}",
                    "village_code": "gs-v01",
                    "town": "gushan",
                    "role": "director_assistant",
                    "party_member": False,
                    "contract_number": f"T-{n:05d}",
                    "contract_start": date(2026, 1, 1),
                    "contract_end": date(2028, 12, 31),
                    "status": "in_service",
                    "hiring_instance_id": None,
                    "hired_at": ctx.clock.now(),
                }
                for n in range(count)
            ],
        )


def add_history(ctx: ServiceContext, history: list[tuple[int, str, str]]) -> None:
    """Record earlier months' confirmed grades, (officer id, month, grade), as if imported: no instance."""
    with ctx.database.transaction() as session:
        for officer_id, month, grade in history:
            officer = session.get(OfficerModel, officer_id)
            assert officer is not None
            session.add(
                AppraisalRecordModel(
                    officer_id=officer_id,
                    month=month,
                    town=officer.town,
                    instance_id=None,
                    station_total=50,
                    town_total=50,
                    combined_score=50,
                    village_committee_opinion=None,
                    veto=False,
                    veto_reason=None,
                    veto_by=None,
                    veto_at=None,
                    suggested_grade=grade,
                    grade=grade,
                    promotion_level="keep",
                    reward=False,
                    confirmed_by="history",
                    confirmed_at=ctx.clock.now(),
                )
            )
        session.flush()
        rebuild(session.connection())  # the dashboard's counts, as after an import


def tasks_of(user: User, department: str, spec_name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = user.get(f"/api/v1/queues/{department}/tasks?per_page=200&page={page}")
        items.extend(t for t in body["items"] if t["spec_name"] == spec_name)
        if page * 200 >= body["total"]:
            return items
        page += 1


def officer_of(user: User, task: dict[str, Any]) -> int:
    return int(user.get(f"/api/v1/tasks/{task['id']}")["data"]["officer_id"])


def score_all(users: dict[str, User], weak: frozenset[int] = frozenset()) -> None:
    """Score every officer at about 90% (excellent); officers in ``weak`` at 30% (incompetent)."""
    for town in ("gushan", "boyu"):
        station, gov = users[f"{town}_station"], users[f"{town}_gov"]
        for task in tasks_of(station, f"police_station:{town}", "station_score"):
            ratio_station = 0.3 if weak and officer_of(station, task) in weak else 0.9
            station.post(
                f"/api/v1/tasks/{task['id']}/complete",
                {"data": {"station_items": rubric("station_score.json", "station_items", ratio_station)}},
            )
        for task in tasks_of(gov, f"town_gov:{town}", "town_score"):
            ratio_town = 0.3 if weak and officer_of(gov, task) in weak else 0.92
            gov.post(
                f"/api/v1/tasks/{task['id']}/complete",
                {
                    "data": {
                        "town_items": rubric("town_score.json", "town_items", ratio_town),
                        "village_committee_opinion": "satisfied",
                    }
                },
            )


def decide_vetoes(users: dict[str, User], vetoed: set[int]) -> None:
    for town in ("gushan", "boyu"):
        gov = users[f"{town}_gov"]
        for task in tasks_of(gov, f"town_gov:{town}", "veto_decision"):
            veto = officer_of(gov, task) in vetoed
            data: dict[str, Any] = {"veto": veto}
            if veto:
                data["veto_reason"] = "本月发生群众投诉且未及时处置"
            gov.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})


# Start data of one officer's month for trying the appraisal model in the sandbox (issue 14, point 3): the
# scoring is due far ahead, so no wait ends unless the designer skips it.
SANDBOX_MONTH = {
    "officer_id": 1,
    "officer_name": "张三",
    "village_code": "gs-v01",
    "village_name": "示例村",
    "town": "gushan",
    "month": "2026-11",
    "due_at": "2099-11-25T23:59:59+08:00",
    "subject": "2026-11 张三",
}
