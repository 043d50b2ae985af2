"""The campaign report (``GET /api/v1/campaigns/<id>``, recruitment/report.py) counted by the database gives
what the earlier Python count gave (kept below as ``python_report``), on SQLite and PostgreSQL: applicants
by status, refusals by reason (a reason twice in one list, several applications), posts filled, vacant
and in progress, and the same applications and officers (issue 15)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import (
    ApplicationModel,
    CampaignModel,
    DefinitionModel,
    InstanceModel,
    OfficerModel,
)
from service.usecases.key_prefix import keys_under
from service.usecases.recruitment import campaign_report
from tests.api.recruitment_steps import applicant, approve_plan, birth_for_age, publish, start_recruitment
from tests.api.test_campaign_counts import hired_officer
from tests.conftest import User
from tests.web_units.test_dashboard_pages import KEY, hiring_instance
from workflows.ports import CHINA, ManualClock

CRAFTED = [
    ("gs-v01", "ineligible", ["年龄不符合要求", "户籍不在本村", "年龄不符合要求"]),
    ("gs-v02", "ineligible", ["户籍不在本村"]),
    ("gs-v02", "absent", ["未参加考试或无考试成绩"]),
    ("gs-v03", "vetting_failed", ["有犯罪记录", "户籍不在本村"]),
    ("gs-v04", "eligible", []),
    ("gs-v05", "hired", []),
    ("gs-v06", "hired", []),
]


def python_report(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """The report as it was computed before (every application read and counted in Python)."""
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        assert campaign is not None
        applications = list(
            session.scalars(select(ApplicationModel).where(ApplicationModel.campaign_id == campaign_id))
        )
        officers = list(
            session.scalars(
                select(OfficerModel).join(ApplicationModel).where(ApplicationModel.campaign_id == campaign_id)
            )
        )
        hiring = list(
            session.scalars(
                select(InstanceModel).where(
                    InstanceModel.process_id == "post_hiring",
                    InstanceModel.business_key.startswith(f"{campaign.business_key}/", autoescape=True),
                )
            )
        )
        by_status: dict[str, int] = {}
        by_reason: dict[str, int] = {}
        for application in applications:
            by_status[application.status] = by_status.get(application.status, 0) + 1
            for reason in application.reasons:
                by_reason[reason] = by_reason.get(reason, 0) + 1
        hired_by = {officer.hiring_instance_id for officer in officers}
        vacant = [i.business_key for i in hiring if i.status == "completed" and i.id not in hired_by]
        return {
            "campaign": campaign.id,
            "applications": sorted(a.id for a in applications),
            "officers": sorted(o.id for o in officers),
            "posts_total": campaign.plan.get("total_posts", 0),
            "posts_filled": len(officers),
            "posts_vacant": sorted(vacant),
            "posts_in_progress": sum(1 for i in hiring if i.status == "running"),
            "applicants_by_status": by_status,
            "rejections_by_reason": by_reason,
        }


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {
        **report,
        "campaign": report["campaign"].id,
        "applications": [a.id for a in report["applications"]],
        "officers": [o.id for o in report["officers"]],
    }


def test_the_report_counted_by_the_database_is_the_python_count(
    ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    bureau = users["bureau"]
    today = clock.now().astimezone(CHINA).date()
    recruitment = start_recruitment(bureau, KEY)
    approve_plan(users)
    publish(bureau, today)
    campaign_id = bureau.get(f"/api/v1/instances/{recruitment['id']}")["data"]["campaign"]["campaign_id"]
    url = f"/api/v1/campaigns/{campaign_id}/applications"
    too_old = bureau.post(url, applicant(1, "gs-v01", birth_for_age(today, 45)), expect=201)
    assert too_old["status"] == "ineligible" and too_old["reasons"]
    bureau.post(url, applicant(2, "gs-v02", birth_for_age(today, 26)), expect=201)
    filled = hiring_instance(ctx, "gs-v05/1", "completed")
    hiring_instance(ctx, "gs-v07/1", "completed")  # vacant: nobody hired by it
    hiring_instance(ctx, "gs-v08/1", "completed")
    hiring_instance(ctx, "gs-v02/1", "running")
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
                officer = hired_officer(row, clock)
                officer.contract_number = f"CHECK-{n:03d}"
                officer.hiring_instance_id = filled if village == "gs-v05" else None
                session.add(officer)
    report = comparable(campaign_report(ctx, campaign_id))
    assert report == python_report(ctx, campaign_id)
    assert report["posts_vacant"] == [f"{KEY}/gs-v07/1", f"{KEY}/gs-v08/1"]
    assert (report["posts_filled"], report["posts_in_progress"]) == (2, 1)
    assert report["rejections_by_reason"]["户籍不在本村"] == 3 + too_old["reasons"].count("户籍不在本村")
    assert report["applicants_by_status"]["hired"] == 2
    # Through the API, the same figures.
    body = bureau.get(f"/api/v1/campaigns/{campaign_id}")
    assert body["applicants_by_status"] == report["applicants_by_status"]
    assert body["rejections_by_reason"] == report["rejections_by_reason"]
    assert [a["id"] for a in body["applications"]] == report["applications"]


def test_keys_under_a_prefix_are_an_index_range_on_sqlite(ctx: ServiceContext) -> None:
    """``keys_under`` finds exactly the keys starting with the prefix (LIKE's wildcards taken literally), and
    SQLite reads them as a range of ix_instances_business_key, not the whole index."""
    keys = ["c_1/1", "c_1/2/A3", "c_1", "c_10/1", "c_1.x", "c01/1", "C_1/1", "c_1/"]
    with ctx.database.transaction() as session:
        definition = session.scalars(select(DefinitionModel.id)).first()
        assert definition is not None
        now = ctx.clock.now()
        for key in keys:
            session.add(
                InstanceModel(
                    definition_id=definition,
                    process_id="post_hiring",
                    business_key=key,
                    status="running",
                    subject="",
                    state={},
                    serializer_version="crafted",
                    started_by="system",
                    created_at=now,
                    updated_at=now,
                )
            )
    with ctx.database.reading() as session:
        statement = select(InstanceModel.business_key).where(
            keys_under(session, InstanceModel.business_key, "c_1/")
        )
        assert sorted(session.scalars(statement)) == ["c_1/", "c_1/1", "c_1/2/A3"]
        if session.get_bind().dialect.name == "sqlite":
            compiled = statement.compile(session.get_bind())
            plan = session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
            )
            assert "business_key>? AND business_key<?" in " ".join(row[3] for row in plan)
