"""What the recruitment operators share: the campaign and the application an operator works on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.persistence.models import ApplicationModel, CampaignModel
from service.usecases.errors import OperatorFailedError
from service.usecases.runner import InstanceRunner
from workflows.scripting import OperatorCall


def campaign_of(runner: InstanceRunner, call: OperatorCall) -> CampaignModel:
    campaign_id = call.data.get("campaign_id") or (call.data.get("campaign") or {}).get("campaign_id")
    campaign = runner.session.get(CampaignModel, campaign_id) if campaign_id else None
    if campaign is None and runner.instance is not None:
        campaign = runner.session.scalars(
            select(CampaignModel).where(CampaignModel.instance_id == runner.instance.id)
        ).first()
    if campaign is None:
        raise OperatorFailedError("找不到该流程对应的招聘批次")
    return campaign


def application_of(runner: InstanceRunner, application_id: Any) -> ApplicationModel:
    application = runner.session.get(ApplicationModel, application_id)
    if application is None:
        raise OperatorFailedError("报名记录 {application_id} 不存在", application_id=application_id)
    return application
