"""Audit trail for auditors: chain verification, history search and CSV / JSON Lines export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.api import caller, context
from service.api.fields import Id, Text
from service.api.schemas import AuditEventSchema, PageArgs, page_of
from service.auth import allow
from service.usecases import audit_trail
from service.usecases.audit_trail import CHINA, EXPORT_FORMATS, AuditFilters

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="审计 Audit trail")


class ProblemSchema(Schema):
    kind = fields.String(metadata={"description": "altered | removed | reordered | unsealed"})
    seq = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    message = fields.String()


class VerificationSchema(Schema):
    intact = fields.Boolean()
    checked = fields.Integer()
    problems = fields.List(fields.Nested(ProblemSchema))


class FilterArgs(Schema):
    instance_id = Id(load_default=None, metadata={"description": "流程实例"})
    officer_id = Id(load_default=None, metadata={"description": "辅警：关于该辅警的流程实例的事件"})
    application_id = Id(
        load_default=None, metadata={"description": "报名：关于该报名（应聘人）的流程实例的事件"}
    )
    actor = Text(64, min_length=1, load_default=None, metadata={"description": "操作人用户名"})
    department_code = Text(64, min_length=1, load_default=None)
    action = Text(64, min_length=1, load_default=None)
    since = fields.AwareDateTime(
        load_default=None,
        default_timezone=CHINA,
        metadata={"description": "起始时间（含）；不带时区按北京时间"},
    )
    until = fields.AwareDateTime(
        load_default=None,
        default_timezone=CHINA,
        metadata={"description": "截止时间（不含）；不带时区按北京时间"},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("起始时间必须早于截止时间", "since")


class SearchArgs(FilterArgs, PageArgs):
    pass


class ExportArgs(FilterArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(EXPORT_FORMATS))


class AuditRecordSchema(AuditEventSchema):
    seq = fields.Integer(allow_none=True, metadata={"description": "链上序号；为空表示未入链"})
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True)


def _filters(args: dict[str, Any]) -> AuditFilters:
    return AuditFilters(**{key: args[key] for key in FilterArgs().fields})


@blp.route("/verify")
class Verify(MethodView):
    @allow("auditor")
    @blp.response(200, VerificationSchema)
    def get(self) -> Any:
        """Re-compute the hash chain and name every altered, removed, reordered or unsealed event."""
        return audit_trail.verify_chain(context())


@blp.route("/events")
class Events(MethodView):
    @allow("auditor")
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, page_of(AuditRecordSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Search the history by instance, officer, applicant, user, department, action and time."""
        return audit_trail.search(context(), caller(), _filters(args), args["page"], args["per_page"])


@blp.route("/events/export")
class Export(MethodView):
    @allow("auditor")
    @blp.arguments(ExportArgs, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="text/csv",
        description="每条匹配的事件：format=csv 为 CSV（中文表头，UTF-8 BOM）；"
        "format=jsonl 为 JSON Lines（application/x-ndjson，每行一个事件，含 seq 与 hash）",
    )
    def get(self, args: dict[str, Any]) -> Any:
        """Download every matching event (not paginated), streamed in chain order."""
        fmt = args["format"]
        chunks = audit_trail.export(context(), caller(), _filters(args), fmt)
        stamp = context().clock.now().astimezone(CHINA).strftime("%Y%m%d-%H%M%S")
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
        return Response(
            chunks,
            content_type=content_type,
            headers={"Content-Disposition": f"attachment; filename=audit-events-{stamp}.{fmt}"},
        )
