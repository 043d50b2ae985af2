"""Monthly appraisal: start a month by hand, reports per month and town, an officer's year."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.field_report_schemas import AwaitingEntrySchema, FieldReportEntrySchema
from service.api.fields import Month, Text, month_problem
from service.api.streamed import streamed_file
from service.auth import allow
from service.usecases import appraisal, appraisal_reports, field_report_entry, field_reports, own_cases
from service.usecases.errors import InvalidInputError

MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
blp = Blueprint("appraisals", __name__, url_prefix="/api/v1", description="月度考核 Monthly appraisal")


class MonthSchema(Schema):
    month = Month(required=True)


class NotAppraisedSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    village_code = fields.String()
    town = fields.String()


class MonthStartedSchema(Schema):
    officers = fields.Integer(metadata={"description": "在岗辅警人数"})
    started = fields.Integer(metadata={"description": "本次启动的考核数"})
    existing = fields.Integer(metadata={"description": "此前已启动的考核数"})
    on_injury_leave = fields.Integer(metadata={"description": "整月工伤休假、本月不考核的辅警人数"})
    on_injury_leave_officers = fields.List(
        fields.Nested(NotAppraisedSchema), metadata={"description": "整月工伤休假、本月不考核的辅警"}
    )


class ReportArgs(Schema):
    town = Text(
        32,
        min_length=1,
        load_default=None,
        validate=[validate.Regexp(r"^[a-z0-9_-]+$")],
        metadata={"description": "镇的代码，例如 gushan"},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class ReportRowSchema(Schema):
    officer_id = fields.Integer()
    officer_name = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    town = fields.String()
    month = fields.String()
    station_total = fields.Float()
    town_total = fields.Float()
    combined_score = fields.Float()
    veto = fields.Boolean()
    veto_reason = fields.String(allow_none=True)
    veto_by = fields.String(allow_none=True)
    veto_at = fields.DateTime(allow_none=True)
    suggested_grade = fields.String()
    suggested_grade_label = fields.String()
    grade = fields.String()
    grade_label = fields.String()
    promotion_level = fields.String()
    promotion_label = fields.String()
    reward = fields.Boolean()
    confirmed_by = fields.String()


class YearArgs(Schema):
    until = Month(required=True)


class YearMonthSchema(Schema):
    month = fields.String()
    grade = fields.String(allow_none=True)
    combined_score = fields.Float(allow_none=True)
    veto = fields.Boolean(allow_none=True)


class YearSchema(Schema):
    officer_id = fields.Integer()
    officer_name = fields.String()
    months = fields.List(fields.Nested(YearMonthSchema))
    appraised_months = fields.Integer()
    vetoed_months = fields.Integer()
    annual_grade = fields.String(allow_none=True)
    annual_grade_label = fields.String(allow_none=True)


@blp.route("/appraisals/months")
class Months(MethodView):
    @allow("admin", "head")
    @blp.arguments(MonthSchema)
    @blp.response(201, MonthStartedSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Start or re-run a month's appraisals (idempotent: a second call starts nothing new); an admin or
        the police sub-bureau's head."""
        return appraisal.start_month_by(context(), caller(), body["month"])


@blp.route("/appraisals/reports/<month>")
class MonthReport(MethodView):
    @allow("staff", "auditor")
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportRowSchema(many=True))
    @blp.alt_response(200, description="CSV or XLSX download when format=csv|xlsx", content_type="text/csv")
    def get(self, args: dict[str, Any], month: str) -> Any:
        """A month's appraisals of one town, as JSON, CSV or XLSX (Chinese headers)."""
        problem = month_problem(month)
        if problem is not None:
            raise InvalidInputError(problem[0], errors={"month": list(problem)}, english=problem[1])
        if args["format"] == "json":
            return appraisal_reports.month_report(context(), caller(), month, args["town"])
        # A file: written batch by batch to a temporary file (a province's month in flat memory), then
        # sent from it in chunks.
        path, town = appraisal_reports.month_report_file(
            context(), caller(), month, args["town"], args["format"]
        )
        return streamed_file(
            path, MIMETYPES[args["format"]], f"appraisal-{month}-{town or 'all'}.{args['format']}"
        )


@blp.route("/officers/<int:officer_id>/appraisals")
class OfficerYear(MethodView):
    @allow("department:police_bureau", "auditor")
    @blp.arguments(YearArgs, location="query")
    @blp.response(200, YearSchema)
    def get(self, args: dict[str, Any], officer_id: int) -> Any:
        """An officer's twelve months up to ``until`` with the annual summary grade."""
        return appraisal_reports.officer_year(context(), caller(), officer_id, args["until"])


class OwnResultSchema(Schema):
    month = fields.String()
    station_total = fields.Float()
    town_total = fields.Float()
    combined_score = fields.Float()
    veto = fields.Boolean()
    veto_reason = fields.String(allow_none=True)
    grade = fields.String()
    grade_label = fields.String()
    promotion_level = fields.String()
    promotion_label = fields.String()


@blp.route("/me/appraisals")
class OwnResults(MethodView):
    @allow("authenticated")
    @blp.response(200, OwnResultSchema(many=True))
    def get(self) -> Any:
        """The caller's own appraisal results, newest first: finished months only, the result only
        (empty for an account linked to no officer)."""
        return own_cases.own_results(context(), caller())


@blp.route("/me/field-reports")
class OwnFieldReports(MethodView):
    @allow("authenticated")
    @blp.response(200, FieldReportEntrySchema(many=True))
    def get(self) -> Any:
        """The caller's own monthly field reports, newest first, with what the station made of each
        (empty for an account linked to no officer)."""
        return field_reports.own_reports(context(), caller())


@blp.route("/field-reports/awaiting-entry")
class ReportsAwaitingEntry(MethodView):
    @allow("staff")
    @blp.response(200, AwaitingEntrySchema(many=True))
    def get(self) -> Any:
        """The monthly reports of your stations' officers still in the officers' own queues, soonest due
        first, with whether each officer has an account: where a clerk finds a paper report to enter
        (POST /api/v1/tasks/<id>/take-on-behalf). Police stations only."""
        return field_report_entry.awaiting_entry(context(), caller())
