"""Incidents: instances that cannot go on by themselves (docs/design.md), for designers and admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.fields import Id, Text
from service.api.schemas import PageArgs, page_of
from service.auth import allow
from service.usecases import incidents

blp = Blueprint("incidents", __name__, url_prefix="/api/v1/incidents", description="异常事件 Incidents")


class IncidentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer(allow_none=True, metadata={"description": "空：启动失败，未保留实例"})
    process_id = fields.String()
    definition_id = fields.Integer(allow_none=True)
    kind = fields.String(
        metadata={
            "description": "budget 超出执行上限 / too_large 任务树过大 / model_error 模型出错 / stalled 停滞"
        }
    )
    element = fields.String(allow_none=True, metadata={"description": "出问题的流程环节（名称与编号）"})
    message = fields.String()
    message_en = fields.String()
    actor = fields.String(metadata={"description": "其操作引发该事件的用户"})
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)


class IncidentListArgs(PageArgs):
    open = fields.Boolean(load_default=True, metadata={"description": "只列未处理的"})
    instance_id = Id(load_default=None)


class ResolveSchema(Schema):
    resolution = Text(2000, min_length=1, required=True)


@blp.route("")
class Incidents(MethodView):
    @allow("designer", "admin")
    @blp.arguments(IncidentListArgs, location="query")
    @blp.response(200, page_of(IncidentSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List incidents, newest first (by default only the open ones)."""
        items, total = incidents.list_incidents(
            context(), args["open"], args["instance_id"], args["page"], args["per_page"]
        )
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/<int:incident_id>/resolve")
class Resolve(MethodView):
    @allow("designer", "admin")
    @blp.arguments(ResolveSchema)
    @blp.response(200, IncidentSchema)
    def post(self, body: dict[str, Any], incident_id: int) -> Any:
        """Mark an incident resolved, saying what was done (e.g. a corrected model deployed)."""
        return incidents.resolve_incident(context(), caller(), incident_id, body["resolution"])
