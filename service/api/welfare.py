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
