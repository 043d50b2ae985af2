"""Audit trail for auditors: chain verification, history search and CSV / JSON Lines export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.api import caller, context
from service.api.fields import Id, Text
from service.api.schemas import AuditEventSchema, PageArgs
from service.auth import allow
from service.usecases import action_labels, audit_trail
from service.usecases.audit_search import MAX_TEXT
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
    instance_id = fields.Integer(
        metadata={"description": "只校验了该流程实例（完整校验时不出现）/ only this instance was checked"}
    )


class VerifyArgs(Schema):
    instance_id = Id(
        load_default=None,
        metadata={
            "description": "只校验该流程实例的事件及其前后相邻的事件（其余事件请做完整校验）"
            " / only this instance's events and the events either side of each"
        },
    )


def _known_action(code: str) -> None:
    if code not in action_labels.labelled():
        raise ValidationError("未知的操作代码")


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

    # What people know (issue 15, point 7): names and labels contain the text, ignoring case.
    person = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={"description": "操作人姓名（显示名）或用户名的一部分，如 李科长 / Display name, partial"},
    )
    department = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={"description": "部门名称的一部分或代码：该部门及其任务的事件 / Department name or code"},
    )
    village = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={
            "description": "村（社区）名称的一部分（含曾用名）或代码：关于该村辅警、应聘人、岗位的事件 "
            "/ Village name (or code): events about its officers, applicants and posts"
        },
    )
    officer = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={"description": "辅警姓名的一部分：关于该辅警的事件 / Officer's name, partial"},
    )
    actions = fields.List(
        Text(64, min_length=1, validate=[_known_action]),
        load_default=list,
        metadata={"description": "操作代码（可重复），页面上按名称选择 / Action codes (repeatable)"},
    )
    action_label = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={"description": "操作名称中的文字，如 办结任务 / Complete task: text in the action's label"},
    )
    text = Text(
        MAX_TEXT,
        min_length=1,
        load_default=None,
        metadata={"description": "事件数据（JSON）中包含的文字，% 与 _ 按字面匹配 / Text in the event data"},
    )
    date_from = fields.Date(
        load_default=None, metadata={"description": "起始日期（北京时间，含）/ First day, Beijing time"}
    )
    date_to = fields.Date(
        load_default=None,
        metadata={"description": "截止日期（北京时间，含）/ Last day, Beijing time, included"},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("起始时间必须早于截止时间", "since")
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("起始日期不能晚于截止日期", "date_from")


class SearchArgs(FilterArgs, PageArgs):
    order = fields.String(
        load_default="chain",
        validate=validate.OneOf(("chain", "newest")),
        metadata={
            "description": "chain：按链上顺序（默认，翻页稳定）；newest：最新的在前 "
            "/ chain order (default: pages stay put as events are added) or newest first"
        },
    )


class ExportArgs(FilterArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(EXPORT_FORMATS))


class AuditRecordSchema(AuditEventSchema):
    seq = fields.Integer(allow_none=True, metadata={"description": "链上序号；为空表示未入链"})
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True)
    subject = fields.String(
        allow_none=True,
        metadata={"description": "流程实例的对象，如 张建华（涝台村）2026-11 / Whom the instance is about"},
    )


class AuditRecordPageSchema(Schema):
    """A page of the search. Its counting stops at a bound (1,000, and never below the end of the page
    asked for): past it ``total`` is the bound, a lower bound, and ``total_is_lower_bound`` is true (the
    page shows "1,000+"). Narrow the search (a person, an action, days) to count it."""

    items = fields.List(fields.Nested(AuditRecordSchema))
    total = fields.Integer(
        metadata={
            "description": "匹配的事件数：准确数，或（total_is_lower_bound 时）下限 / exact, or a lower bound"
        },
    )
    total_is_lower_bound = fields.Boolean(
        metadata={"description": "true：实际多于 total（计数到上限为止）/ there are more than total"}
    )
    page = fields.Integer()
    per_page = fields.Integer()


def _filters(args: dict[str, Any]) -> AuditFilters:
    values = {key: args[key] for key in FilterArgs().fields}
    values["actions"] = tuple(values["actions"] or ())
    return AuditFilters(**values)


@blp.route("/verify")
class Verify(MethodView):
    @allow("auditor")
    @blp.arguments(VerifyArgs, location="query")
    @blp.response(200, VerificationSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Re-compute the hash chain (or one instance's events) and name every altered, removed, reordered
        or unsealed event."""
        return audit_trail.verify_chain(context(), args["instance_id"])


@blp.route("/events")
class Events(MethodView):
    @allow("auditor")
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, AuditRecordPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Search the history by instance, officer, applicant, user, department, action and time, and by
        what people know: a display name, a department's or village's name, an officer's name, an
        action's label, Beijing dates and text in the data (all given filters must match)."""
        return audit_trail.search(
            context(),
            caller(),
            _filters(args),
            args["page"],
            args["per_page"],
            newest_first=args["order"] == "newest",
        )


@blp.route("/events/export")
class Export(MethodView):
    @allow("auditor")
    @blp.arguments(ExportArgs, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="text/csv",
        description="每条匹配的事件：format=csv 为 CSV（中文表头，UTF-8 BOM；操作人、操作、部门"
        "的名称各带代码列，时间为带时区的北京时间 2026-11-25T09:00:00+08:00）；"
        "format=jsonl 为 JSON Lines（application/x-ndjson，每行一个事件，含 seq 与 hash、"
        "UTC 时间 at、北京时间 at_beijing 及 actor_name、action_label、department_name）",
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
