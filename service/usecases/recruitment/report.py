"""The campaign report: posts filled, vacant and in progress; applicants by status and reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, InstanceModel, OfficerModel
from service.usecases.errors import NotFoundError


def campaign_report(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """Posts filled, vacant and in progress; applicants by status and rejection reason."""
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
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
            "campaign": campaign,
            "applications": applications,
            "officers": officers,
            "posts_total": campaign.plan.get("total_posts", 0),
            "posts_filled": len(officers),
            "posts_vacant": vacant,
            "posts_in_progress": sum(1 for i in hiring if i.status == "running"),
            "applicants_by_status": by_status,
            "rejections_by_reason": by_reason,
        }
