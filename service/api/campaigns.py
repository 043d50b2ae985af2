"""Recruitment campaigns: applications and the campaign report."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import caller, context
from service.api.application_schemas import ApplicationListArgs, ApplicationListSchema
from service.api.schemas import ApplicationRequestSchema, ApplicationSchema, CampaignReportSchema
from service.auth import allow
from service.usecases import recruitment
from service.usecases.recruitment.application_list import Filters, campaign_applications

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns", description="招聘批次 Campaigns")


@blp.route("/<int:campaign_id>")
class Campaign(MethodView):
    @allow("department:police_bureau", "auditor")
    @blp.response(200, CampaignReportSchema)
    def get(self, campaign_id: int) -> Any:
        """Posts filled, vacant and in progress; applicants by status and rejection reason."""
        return recruitment.campaign_report(context(), campaign_id)


@blp.route("/<int:campaign_id>/applications")
class Applications(MethodView):
    @allow("department:police_bureau", "auditor")
    @blp.arguments(ApplicationListArgs, location="query")
    @blp.response(200, ApplicationListSchema)
    def get(self, args: dict[str, Any], campaign_id: int) -> Any:
        """The campaign's applications with their screening results and reasons, by village and result."""
        filters = Filters(village=args["village"], result=args["result"])
        return campaign_applications(
            context(), caller(), campaign_id, filters, args["page"], args["per_page"]
        )

    @allow("department:police_bureau")
    @blp.arguments(ApplicationRequestSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, body: dict[str, Any], campaign_id: int) -> Any:
        """Register an application; it is screened at once and comes back eligible or with reasons."""
        return recruitment.submit_application(context(), caller(), campaign_id, body)
