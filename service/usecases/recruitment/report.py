"""The campaign report: posts filled, vacant and in progress; applicants by status and reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, InstanceModel, OfficerModel
from service.usecases.errors import NotFoundError
from service.usecases.key_prefix import keys_under
from service.usecases.recruitment.tally import reasons_tally


def campaign_report(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """Posts filled, vacant and in progress; applicants by status and rejection reason.

    The figures are counted by the database, as the campaign dashboard's (campaign_charts): applicants by
    status grouped over ix_applications_campaign_village, the refusals by reason tallied from the partial
    index of the applications with reasons (``reasons_tally``), the posts from their hiring instances'
    id, key and status. They used to be counted in Python over every application's row and reasons.
    The lists ``applications`` and ``officers`` stay in the report because the API returns them
    (``CampaignReportSchema``); the paginated ``/campaigns/<id>/applications`` is the list to page through.
    """
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
        by_status = {
            str(status): int(count)
            for status, count in session.execute(
                select(ApplicationModel.status, func.count())
                .where(ApplicationModel.campaign_id == campaign_id)
                .group_by(ApplicationModel.status)
                .order_by(ApplicationModel.status)
            )
        }
        by_reason = reasons_tally(session, campaign_id)
        hiring = session.execute(
            select(InstanceModel.id, InstanceModel.business_key, InstanceModel.status)
            .where(
                InstanceModel.process_id == "post_hiring",
                keys_under(session, InstanceModel.business_key, f"{campaign.business_key}/"),
            )
            .order_by(InstanceModel.id)
        ).all()
        officers = list(
            session.scalars(
                select(OfficerModel)
                .join(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
                .where(ApplicationModel.campaign_id == campaign_id)
                .order_by(OfficerModel.id)
            )
        )
        applications = list(
            session.scalars(
                select(ApplicationModel)
                .where(ApplicationModel.campaign_id == campaign_id)
                .order_by(ApplicationModel.id)
            )
        )
    hired_by = {officer.hiring_instance_id for officer in officers}
    return {
        "campaign": campaign,
        "applications": applications,
        "officers": officers,
        "posts_total": (campaign.plan or {}).get("total_posts", 0),
        "posts_filled": len(officers),
        "posts_vacant": [key for id_, key, status in hiring if status == "completed" and id_ not in hired_by],
        "posts_in_progress": sum(1 for _id, _key, status in hiring if status == "running"),
        "applicants_by_status": by_status,
        "rejections_by_reason": by_reason,
    }
