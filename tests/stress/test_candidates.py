"""Two posts of one village take their next candidates at the same time (PostgreSQL row locks)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from typing import Any

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel
from service.usecases.recruitment import next_candidate
from service.usecases.runner import InstanceRunner
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User
from workflows.scripting import OperatorCall


def test_a_candidate_held_by_one_post_is_not_a_vacancy_for_the_other(
    ctx: ServiceContext, users: dict[str, User]
) -> None:
    # A village with two posts runs two hiring instances. While one holds its top candidate (not yet
    # committed), the other waits for it (candidates go in rank order, also if the first rolls back),
    # then takes the second candidate: PostgreSQL re-checks the locked row and moves on, so the wait
    # never ends in "nobody left" and a false vacancy.
    instance = start_recruitment(users["bureau"])
    now = datetime.now(UTC)
    with ctx.database.transaction() as session:
        campaign = CampaignModel(
            instance_id=instance["id"],
            business_key="c",
            title="t",
            status="closed",
            plan={},
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        for rank, name in enumerate(["甲", "乙"], start=1):
            session.add(
                ApplicationModel(
                    campaign_id=campaign.id,
                    village_code="gs-v01",
                    name=name,
                    id_number=f"37100219990101{rank:04d}",
                    birth_date=date(1999, 1, 1),
                    applicant={},
                    status="ranked",
                    reasons=[],
                    score=90.0 - rank,
                    rank=rank,
                    applied_at=now,
                )
            )
        campaign_id = campaign.id
    call = OperatorCall("next_candidate", {}, {"campaign_id": campaign_id, "village_code": "gs-v01"}, "t")
    first_holds = threading.Event()
    results: dict[str, Any] = {}

    def first_post() -> None:
        with ctx.database.transaction() as session:
            results["first"] = next_candidate(InstanceRunner(ctx, session, "system"), call)
            session.flush()
            first_holds.set()
            time.sleep(0.5)  # the other post asks meanwhile

    def second_post() -> None:
        first_holds.wait(timeout=30)
        with ctx.database.transaction() as session:
            results["second"] = next_candidate(InstanceRunner(ctx, session, "system"), call)

    threads = [threading.Thread(target=first_post), threading.Thread(target=second_post)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (results["first"]["name"], results["second"]["name"]) == ("甲", "乙")
