"""The officer roster: officers with their village, campaign, contract, status and appraisal history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.field_report_schemas import FieldReportEntrySchema
from service.api.fields import Id, Text
from service.api.schemas import PageArgs, page_of
from service.api.welfare import DeathOnDutySchema, WorkInjuryEntrySchema
from service.auth import allow
from service.usecases import roster
from service.usecases.officer_labels import FILTER_STATUSES, LEAVING_STATUSES, STATUSES
from service.usecases.roster.contracts import officer_contracts
from service.usecases.roster.listing import LEFT_IN_MONTH

blp = Blueprint("officers", __name__, url_prefix="/api/v1/officers", description="辅警名册 Officer roster")
CODE = validate.Regexp(r"^[a-z0-9_-]+$")


class RosterArgs(PageArgs):
    town = Text(32, min_length=1, load_default=None, validate=[CODE], metadata={"description": "镇的代码"})
    village = Text(32, min_length=1, load_default=None, validate=[CODE], metadata={"description": "村的代码"})
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(FILTER_STATUSES),
        metadata={"description": "辅警状态；injury_leave：今天工伤休假的在岗辅警"},
    )
    campaign = Id(load_default=None, metadata={"description": "招聘批次编号"})
    left_in = fields.String(
        load_default=None,
        validate=validate.Regexp(LEFT_IN_MONTH, error="应为 1900 至 2099 年间 YYYY-MM 格式的月份"),
        metadata={"description": "离岗月份 YYYY-MM：只列出该月离岗的辅警"},
    )


class InjuryLeaveSchema(Schema):
    instance_id = fields.Integer(metadata={"description": "工伤处理流程"})
    since = fields.Date()
    until_at_most = fields.Date(metadata={"description": "停工留薪期最迟至（模型的 max_leave_months）"})
    max_months = fields.Integer()


class OfficerRowSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    village_name_en = fields.String()
    town = fields.String()
    town_name = fields.String()
    town_name_en = fields.String()
    role = fields.String()
    role_label = fields.String()
    role_label_en = fields.String()
    party_member = fields.Boolean()
    status = fields.String(metadata={"description": " | ".join(STATUSES)})
    status_label = fields.String(metadata={"description": "状态；在岗而工伤休假的为“工伤休假”"})
    status_label_en = fields.String()
    status_since = fields.Date()
    on_injury_leave = fields.Boolean(metadata={"description": "今天是否工伤休假（停工留薪期）"})
    injury_leave = fields.Nested(InjuryLeaveSchema, allow_none=True)
    left_on = fields.Date(allow_none=True)
    leave_reason = fields.String(allow_none=True)
    leave_reason_en = fields.String(
        allow_none=True, metadata={"description": "离岗原因（英文：系统记录的原因译出，手填的原样）"}
    )
    contract_number = fields.String()
    contract_start = fields.Date()
    contract_end = fields.Date()
    application_id = fields.Integer(allow_none=True)
    screening_instance_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    campaign_title = fields.String(allow_none=True)
    campaign_instance_id = fields.Integer(allow_none=True)
    hiring_instance_id = fields.Integer(allow_none=True)
    hired_at = fields.DateTime()


class AppraisalEntrySchema(Schema):
    month = fields.String()
    grade = fields.String()
    grade_label = fields.String()
    grade_label_en = fields.String()
    combined_score = fields.Float()
    veto = fields.Boolean()
    veto_reason = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)


class RenewalEntrySchema(Schema):
    contract_end = fields.Date()
    instance_id = fields.Integer(allow_none=True)
    instance_status = fields.String(allow_none=True)
    started_at = fields.DateTime()


class RewardEntrySchema(Schema):
    decided_on = fields.Date()
    month = fields.String(allow_none=True)
    outcome = fields.String()
    outcome_label = fields.String()
    outcome_label_en = fields.String()
    kind = fields.String(allow_none=True)
    kind_label = fields.String()
    kind_label_en = fields.String()
    proposal_label = fields.String()
    proposal_label_en = fields.String()
    grounds = fields.String(allow_none=True)
    grounds_en = fields.String(allow_none=True)
    decided_by = fields.String()
    instance_id = fields.Integer(allow_none=True)


class ContractEntrySchema(Schema):
    contract_number = fields.String()
    contract_start = fields.Date()
    contract_end = fields.Date()
    outcome = fields.String()
    outcome_label = fields.String()
    outcome_label_en = fields.String()
    ended_on = fields.Date(allow_none=True)
    renewal_instance_id = fields.Integer(allow_none=True)
    renewed_at = fields.DateTime(allow_none=True)
    renewed_by = fields.String(allow_none=True)


class DismissalEntrySchema(Schema):
    instance_id = fields.Integer()
    category = fields.String(metadata={"description": "incompetent | disqualifier | serious_breach"})
    category_label = fields.String()
    category_label_en = fields.String()
    disqualifier = fields.String(allow_none=True)
    facts = fields.String()
    reported_by = fields.String()
    opened_on = fields.Date()
    outcome = fields.String(metadata={"description": "open | dismissed | kept"})
    outcome_label = fields.String()
    outcome_label_en = fields.String()
    decided_on = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    grounds = fields.String(allow_none=True)
    rehire_barred = fields.Boolean()


class TrainingEntrySchema(Schema):
    title = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    place = fields.String()
    attended = fields.Boolean()
    result = fields.String()
    result_label = fields.String()
    result_label_en = fields.String()
    remarks = fields.String()
    recorded_by = fields.String()
    instance_id = fields.Integer(allow_none=True)


class UndertakingSchema(Schema):
    signed_on = fields.Date()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    instance_id = fields.Integer(allow_none=True)


class OfficerDetailSchema(OfficerRowSchema):
    appraisals = fields.List(fields.Nested(AppraisalEntrySchema))
    renewals = fields.List(fields.Nested(RenewalEntrySchema))
    rewards = fields.List(fields.Nested(RewardEntrySchema))
    training = fields.List(fields.Nested(TrainingEntrySchema))
    undertaking = fields.Nested(UndertakingSchema, allow_none=True)
    dismissals = fields.List(fields.Nested(DismissalEntrySchema))
    field_reports = fields.List(fields.Nested(FieldReportEntrySchema))
    work_injuries = fields.List(fields.Nested(WorkInjuryEntrySchema))
    death_on_duty = fields.Nested(DeathOnDutySchema, allow_none=True)
    contracts = fields.List(fields.Nested(ContractEntrySchema))


class StatusChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(LEAVING_STATUSES))
    on = fields.Date(required=True, metadata={"description": "离岗日期（北京时间），不晚于今天"})
    reason = Text(2000, min_length=1, required=True)


@blp.route("")
class Officers(MethodView):
    @allow("staff", "auditor", "admin")
    @blp.arguments(RosterArgs, location="query")
    @blp.response(200, page_of(OfficerRowSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """The roster, by town and village; a town's police station and government see their own town."""
        return roster.list_officers(
            context(),
            caller(),
            town=args["town"],
            village=args["village"],
            status=args["status"],
            campaign=args["campaign"],
            left_in=date.fromisoformat(f"{args['left_in']}-01") if args["left_in"] else None,
            page=args["page"],
            per_page=args["per_page"],
        )


@blp.route("/<int:officer_id>")
class Officer(MethodView):
    @allow("staff", "auditor", "admin")
    @blp.response(200, OfficerDetailSchema)
    def get(self, officer_id: int) -> Any:
        """One officer with the appraisal history, the contract renewals raised, the contracts held (current
        first) and the reward decisions."""
        detail = roster.officer_detail(context(), caller(), officer_id)
        return {**detail, "contracts": officer_contracts(context(), detail)}


@blp.route("/<int:officer_id>/status")
class OfficerStatus(MethodView):
    @allow("department:police_bureau")
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, OfficerRowSchema)
    def post(self, body: dict[str, Any], officer_id: int) -> Any:
        """The sub-bureau's head records that an officer resigned, was dismissed or saw the contract end;
        the post is free from then on (audited with the status before and after)."""
        return roster.change_status(
            context(), caller(), officer_id, body["status"], body["on"], body["reason"]
        )
