"""Process instances: start, list, read, history."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import caller, context
from service.api.schemas import (
    AuditEventSchema,
    InstanceDetailSchema,
    InstanceListArgs,
    InstanceRowSchema,
    InstanceSchema,
    InstanceStartSchema,
    PageArgs,
    page_of,
)
from service.auth import allow
from service.usecases import instance_list, instances

blp = Blueprint("instances", __name__, url_prefix="/api/v1/instances", description="流程实例 Instances")


@blp.route("")
class Instances(MethodView):
    @allow("auditor", "designer", "staff")
    @blp.arguments(InstanceListArgs, location="query")
    @blp.response(200, page_of(InstanceRowSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List the instances the caller may read, newest first, with the steps each open one waits at
        (staff: those their departments work on; the sub-bureau also its campaigns' and the officer cases).
        ``step``: the open instances waiting at that step; ``state``: open, ended or archived."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return instance_list.list_instances(
            context(), caller(), instance_list.InstanceFilters(**args), page, per_page
        )

    @allow("staff")
    @blp.arguments(InstanceStartSchema)
    @blp.response(201, InstanceSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Start an instance of the latest version of a process."""
        return instances.start_instance(
            context(), caller(), body["process_id"], body["business_key"], body["data"]
        )


@blp.route("/<int:instance_id>")
class Instance(MethodView):
    @allow("auditor", "designer", "staff")
    @blp.response(200, InstanceDetailSchema)
    def get(self, instance_id: int) -> Any:
        """An instance with its data and its human tasks (staff: instances their departments work on)."""
        return instances.instance_detail(context(), caller(), instance_id)


@blp.route("/<int:instance_id>/history")
class History(MethodView):
    @allow("auditor", "designer", "staff")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(AuditEventSchema))
    def get(self, args: dict[str, Any], instance_id: int) -> Any:
        """The instance's audit events in order."""
        return instances.instance_history(context(), caller(), instance_id, args["page"], args["per_page"])
