"""The demo (`auxpolice demo`, the README's Quick start): a year can be run in it from the first page.

A campaign recruits for vacancies only, so a demo with an officer on every post could start none; its
history frees four posts and brings one contract end inside the renewal window.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from service.persistence.models import OfficerModel, UserModel
from service.usecases.campaign_start import start_campaign
from service.usecases.demo import DEMO_CONTRACT_ENDING, DEMO_DEPARTURES, DEMO_OFFICER_ACCOUNTS, seed_demo
from service.usecases.directory import caller_of
from service.usecases.instances import instance_detail
from tests.conftest import TEST_START, build_app
from workflows.ports import CHINA, ManualClock


def test_demo_leaves_posts_to_recruit_and_a_contract_to_renew(tmp_path: Path) -> None:
    clock = ManualClock(TEST_START)
    ctx = build_app(f"sqlite:///{tmp_path / 'demo.db'}", clock).extensions["auxpolice"]
    seed_demo(ctx)
    seed_demo(ctx)  # idempotent: a second run neither re-seeds officers nor frees more posts
    today = clock.now().astimezone(CHINA).date()
    with ctx.database.reading() as session:
        officers = list(session.scalars(select(OfficerModel)))
        left = {
            o.contract_number: (o.status, o.left_on, o.leave_reason)
            for o in officers
            if o.status != "in_service"
        }
        assert left == {
            number: (status, today - timedelta(days=30), reason) for number, status, reason in DEMO_DEPARTURES
        }
        ending = next(o for o in officers if o.contract_number == DEMO_CONTRACT_ENDING)
        assert ending.contract_end == today + timedelta(days=45)
        head = caller_of(
            session, session.scalars(select(UserModel).where(UserModel.username == "bureau_head")).one()
        )
        # An officer of each town has an own account (the field report's queue), in no department.
        for username, town in DEMO_OFFICER_ACCOUNTS:
            account = session.scalars(select(UserModel).where(UserModel.username == username)).one()
            officer = session.get(OfficerModel, account.officer_id)
            assert officer is not None and officer.town == town and officer.status == "in_service"
            assert caller_of(session, account).memberships == frozenset()

    started = start_campaign(ctx, head, {"subject": "2026年农村辅警补充招聘"})
    plan = instance_detail(ctx, head, started.instance_id)["data"]["plan"]
    assert plan["total_vacancies"] == len(DEMO_DEPARTURES)
    assert plan["total_in_service"] == len(officers) - len(DEMO_DEPARTURES)
    assert {row["village_code"] for row in plan["posts"] if row["vacancies"]} == {
        o.village_code for o in officers if o.status != "in_service"
    }
