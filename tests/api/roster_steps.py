"""Steps of the roster tests: officers in service, one hired from a real campaign's application."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, OfficerModel
from tests.api.appraisal_steps import seed
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.conftest import User


def seed_officers(ctx: ServiceContext) -> None:
    """The demo's 46 officers in service, one per post of the register."""
    seed(ctx)


def officer_from_campaign(users: dict[str, User], ctx: ServiceContext, today: date) -> dict[str, Any]:
    """A campaign with one application (through the API), the demo's 46 officers, and the officer hired
    from the application, as ``record_officer`` writes one: linked by the application's id, never by name.
    The campaign comes first: its plan recruits for vacancies, and the demo's officers fill every post."""
    bureau = users["bureau"]
    recruitment = start_recruitment(bureau)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    application = bureau.post(
        f"/api/v1/campaigns/{campaign_id}/applications",
        applicant(1, "gs-v02", birth_for_age(today, 25)),
        expect=201,
    )
    seed_officers(ctx)
    with ctx.database.transaction() as session:
        officer = OfficerModel(
            application_id=application["id"],
            name=application["name"],
            village_code="gs-v02",
            town="gushan",
            role="director_assistant",
            party_member=False,
            contract_number="WH-FJ-2026-901",
            contract_start=date(2026, 9, 1),
            contract_end=date(2029, 8, 31),
            status="in_service",
            hiring_instance_id=None,
            hired_at=ctx.clock.now(),
        )
        session.add(officer)
        session.flush()
        officer_id = officer.id
    return {"officer_id": officer_id, "campaign_id": campaign_id, "application": application}


def set_contract_end(ctx: ServiceContext, officer_id: int, end: date) -> None:
    with ctx.database.transaction() as session:
        session.execute(update(OfficerModel).where(OfficerModel.id == officer_id).values(contract_end=end))


def officer(ctx: ServiceContext, officer_id: int) -> OfficerModel:
    with ctx.database.reading() as session:
        found = session.get(OfficerModel, officer_id)
        assert found is not None
        session.expunge(found)
        return found


def events(ctx: ServiceContext, action: str) -> list[AuditEventModel]:
    with ctx.database.reading() as session:
        found = list(session.scalars(select(AuditEventModel).where(AuditEventModel.action == action)))
        for event in found:
            session.expunge(event)
        return found
