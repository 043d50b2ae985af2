"""An officer who died on duty while on injury leave, over HTTP (issue 17): the reason for leaving in both
languages, and the injury's row ends with the officer (已牺牲 from the day of death), not 工伤休假."""

from __future__ import annotations

from service.context import ServiceContext
from tests.api.test_welfare import DEATH, complete, officers, report_injury
from tests.conftest import User

FACTS = {"died_on_duty": True, "facts_finding": "经核实，系救助落水群众时牺牲", "recommend_martyr": True}


def die_on_duty_after_an_injury(users: dict[str, User], ctx: ServiceContext) -> int:
    """One Gushan officer: injured on 2026-11-20 (on injury leave), died on duty on 2026-11-21."""
    [officer] = officers(ctx, 1)
    report_injury(users, officer)
    started = users["gushan_station"].post(f"/api/v1/officers/{officer}/deaths", {"data": DEATH}, expect=201)
    complete(users["bureau_head"], "police_bureau", "confirm_death_facts", int(started["id"]), FACTS)
    return officer


def test_a_death_on_duty_reads_in_english_and_ends_the_injury_leave_on_the_record(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    officer = die_on_duty_after_an_injury(users, ctx)
    record = users["bureau"].get(f"/api/v1/officers/{officer}")
    assert (record["leave_reason"], record["leave_reason_en"]) == ("因公牺牲", "Died on duty")
    [injury] = record["work_injuries"]
    assert (injury["status"], injury["status_label"], injury["status_label_en"]) == (
        "left_service",
        "已牺牲",
        "Died on duty",
    )
    assert injury["status_since"] == "2026-11-21" and injury["leave_until_at_most"] is None
    [listed] = users["bureau"].get("/api/v1/officers?status=died_on_duty")["items"]
    assert listed["leave_reason_en"] == "Died on duty"


def test_a_reason_typed_by_the_head_stays_as_typed_in_english(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    [officer] = officers(ctx, 1)
    change = {"status": "resigned", "on": "2026-11-02", "reason": "本人申请辞职"}
    users["bureau_head"].post(f"/api/v1/officers/{officer}/status", change)
    record = users["bureau"].get(f"/api/v1/officers/{officer}")
    assert (record["leave_reason"], record["leave_reason_en"]) == ("本人申请辞职", "本人申请辞职")
