"""The station reports an injury or a death on duty of one of its officers (issue 17, points 4-5).

The processes are the service's to start (``startedBy="usecase:..."``): the station sends what its start
form asks; the officer's name, village and town come from the roster (service/usecases/welfare/).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.schemas import InstanceSchema
from service.auth import allow
from service.usecases import welfare

blp = Blueprint(
    "officer_welfare", __name__, url_prefix="/api/v1/officers", description="工伤与因公牺牲 Injury and death"
)


class ReportSchema(Schema):
    data = fields.Dict(
        required=True,
        metadata={"description": "启动表单的字段（work_injury_report.json / death_report.json）"},
    )


class WorkInjuryEntrySchema(Schema):
    """One reported injury on the officer's record (GET /api/v1/officers/<id> work_injuries)."""

    instance_id = fields.Integer(allow_none=True)
    injury_date = fields.String(allow_none=True)
    injury_place = fields.String(allow_none=True)
    injury = fields.String(allow_none=True)
    status = fields.String(
        metadata={
            "description": "injury_leave | back_at_work | left_post | leave_ended | left_service"
            "（辅警已牺牲、去世或离岗时仍在工伤休假的，显示其最终状态）"
        }
    )
    status_label = fields.String()
    status_label_en = fields.String()
    status_since = fields.String(allow_none=True)
    leave_until_at_most = fields.String(
        allow_none=True, metadata={"description": "停工留薪期最迟至（模型的 max_leave_months）"}
    )
    outcome = fields.String(metadata={"description": "pending | recognised | not_recognised"})
    outcome_label = fields.String()
    outcome_label_en = fields.String()
    grade_label = fields.String()
    grade_label_en = fields.String()
    grounds = fields.String(allow_none=True)
    amounts = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    total_amount = fields.Float(allow_none=True)


class DeathOnDutySchema(Schema):
    """The officer's reported death (GET /api/v1/officers/<id> death_on_duty; null when none)."""

    instance_id = fields.Integer()
    death_date = fields.String(allow_none=True)
    outcome = fields.String(metadata={"description": "pending | martyr | not_martyr | not_on_duty"})
    outcome_label = fields.String()
    outcome_label_en = fields.String()
    facts = fields.String(allow_none=True)
    grounds = fields.String(allow_none=True)
    beneficiary_name = fields.String(allow_none=True)
    relationship_label = fields.String()
    relationship_label_en = fields.String()
    amounts = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


@blp.route("/<int:officer_id>/work-injuries")
class WorkInjuries(MethodView):
    @allow("staff")
    @blp.arguments(ReportSchema)
    @blp.response(201, InstanceSchema)
    def post(self, body: dict[str, Any], officer_id: int) -> Any:
        """The officer's town's police station reports an injury on duty: the work_injury process starts
        and the officer is recorded on injury leave."""
        return welfare.report(context(), caller(), officer_id, "work_injury", body["data"])


@blp.route("/<int:officer_id>/deaths")
class Deaths(MethodView):
    @allow("staff")
    @blp.arguments(ReportSchema)
    @blp.response(201, InstanceSchema)
    def post(self, body: dict[str, Any], officer_id: int) -> Any:
        """The officer's town's police station reports a death on duty: the death_on_duty process starts
        (the sub-bureau confirms the facts, social work evaluates, finance confirms the benefits)."""
        return welfare.report(context(), caller(), officer_id, "death_on_duty", body["data"])
