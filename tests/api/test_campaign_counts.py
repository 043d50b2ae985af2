"""The campaign dashboard's numbers equal a recount of the rows (issue 15, point 6), on SQLite and PostgreSQL:
applicants by village and status, the posts filled, and the refusals by reason, which the database tallies
from the applications that have reasons (the partial index of migration 0027) instead of Python reading
every application's reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, text

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, OfficerModel
from service.usecases.campaign_charts import campaign_charts
from service.usecases.directory import authenticate
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.conftest import User, token_of
from workflows.ports import CHINA, ManualClock

# Reasons given twice in one list, by several applications, an empty list, and no list at all.
CRAFTED = [
    ("gs-v01", "ineligible", ["年龄不符合要求", "户籍不在本村", "年龄不符合要求"]),
    ("gs-v02", "ineligible", ["户籍不在本村"]),
    ("gs-v02", "absent", ["未参加考试或无考试成绩"]),
    ("gs-v03", "vetting_failed", ["有犯罪记录", "户籍不在本村"]),
    ("gs-v04", "eligible", []),
    ("gs-v04", "submitted", None),
    ("gs-v05", "hired", []),
]


def test_campaign_numbers_equal_a_recount_of_the_rows(
    ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    bureau = users["bureau"]
    today = clock.now().astimezone(CHINA).date()
    recruitment = start_recruitment(bureau, "2026-recruitment")
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    too_old = bureau.post(url, applicant(1, "gs-v01", birth_for_age(today, 45)), expect=201)
    assert too_old["status"] == "ineligible" and too_old["reasons"]
    bureau.post(url, applicant(2, "gs-v02", birth_for_age(today, 26)), expect=201)
    with ctx.database.transaction() as session:
        for n, (village, status, reasons) in enumerate(CRAFTED):
            row = ApplicationModel(
                campaign_id=campaign_id,
                village_code=village,
                name=f"核对{n}",
                id_number=f"CHECK{n:013d}",
                birth_date=date(1998, 1, 1),
                applicant={},
                status=status,
                reasons=reasons,
                applied_at=clock.now(),
            )
            session.add(row)
            session.flush()
            if status == "hired":
                session.add(hired_officer(row, clock))
    assert counted(ctx, campaign_id) == recount(ctx, campaign_id)
    found = counted(ctx, campaign_id)
    assert found["reasons"]["户籍不在本村"] == 3 + too_old["reasons"].count("户籍不在本村")
    assert found["reasons"]["年龄不符合要求"] == 2 + too_old["reasons"].count("年龄不符合要求")
    assert found["filled"] == 1
    with ctx.database.reading() as session:
        if session.get_bind().dialect.name == "sqlite":
            # The tally reads the applications with reasons from their index, not every application's row.
            plan = session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT count(*) FROM applications"
                    " WHERE campaign_id = :c AND reasons <> '[]'"
                ),
                {"c": campaign_id},
            ).all()
            assert "ix_applications_campaign_reasons" in " ".join(str(step[-1]) for step in plan), plan


def hired_officer(application: ApplicationModel, clock: ManualClock) -> OfficerModel:
    return OfficerModel(
        application_id=application.id,
        name=application.name,
        village_code=application.village_code,
        town="gushan",
        role="director_assistant",
        party_member=False,
        contract_number="CHECK-001",
        contract_start=date(2026, 1, 1),
        contract_end=date(2028, 12, 31),
        status="in_service",
        hiring_instance_id=None,
        hired_at=clock.now(),
    )


def recount(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """The applicants by village and status, the reasons and the posts filled, tallied from every row."""
    by_village: dict[str, dict[str, int]] = {}
    reasons: dict[str, int] = {}
    with ctx.database.reading() as session:
        rows = session.execute(
            select(ApplicationModel.village_code, ApplicationModel.status, ApplicationModel.reasons).where(
                ApplicationModel.campaign_id == campaign_id
            )
        ).all()
        filled = session.scalar(
            select(func.count())
            .select_from(OfficerModel)
            .join(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
            .where(ApplicationModel.campaign_id == campaign_id)
        )
    for village, status, listed in rows:
        statuses = by_village.setdefault(village, {})
        statuses[status] = statuses.get(status, 0) + 1
        for reason in listed if isinstance(listed, list) else []:
            reasons[reason] = reasons.get(reason, 0) + 1
    return {"applicants": by_village, "reasons": reasons, "filled": filled}


def counted(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """The same numbers as the dashboard's use case gives them."""
    charts = campaign_charts(ctx, authenticate(ctx, token_of("bureau")), campaign_id)
    return {
        "applicants": {village: found for village, found in charts["applicants"].items() if found},
        "reasons": charts["reasons"],
        "filled": sum(entry["filled"] for entry in charts["posts"].values()),
    }
