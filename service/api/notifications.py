"""A user's notifications (issue 15, point 5): the list, the unread count, marking one or all read."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.schemas import PageArgs, page_of
from service.auth import allow
from service.usecases.notifications import reading

blp = Blueprint(
    "notifications", __name__, url_prefix="/api/v1/notifications", description="通知 Notifications"
)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "new_task 新任务 / returned 退回给您 / reassigned 改派给您 / "
            "handed_away 任务已改派给他人 / moved 流程调整转来 / "
            "due_today 今日到期 / due_tomorrow 明天到期 / overdue 已逾期 / escalation 逾期督办"
        }
    )
    kind_zh = fields.String()
    kind_en = fields.String()
    text_zh = fields.String(metadata={"description": "任务名称、对象与流程名称"})
    text_en = fields.String()
    about_zh = fields.String(metadata={"description": "同上，不含通知类别"})
    about_en = fields.String()
    task_id = fields.String()
    instance_id = fields.Integer()
    process_id = fields.String()
    task_state = fields.String(allow_none=True, metadata={"description": "任务现在的状态"})
    created_at = fields.DateTime()
    read = fields.Boolean()
    subject = fields.String(metadata={"description": "对象（中文）"})
    subject_en = fields.String(metadata={"description": "对象（英文：村名、工资表月份译出）"})
    link = fields.String(
        allow_none=True,
        metadata={
            "description": "任务页面；任务已改派给他人的，为仍可查看的流程实例页面，否则为空 "
            "The task's page; for a task handed away, the case's page if still readable, else null"
        },
    )


class NotificationListArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "只列未读的 Unread only"})


class CountSchema(Schema):
    unread = fields.Integer(metadata={"description": f"未读数，最多计 {reading.COUNT_CAP}"})
    capped = fields.Boolean(metadata={"description": "未读数达到上限（显示为 99+）"})


class ReadAllSchema(Schema):
    marked = fields.Integer(metadata={"description": "本次标为已读的条数"})


@blp.route("")
class Notifications(MethodView):
    @allow("authenticated")
    @blp.arguments(NotificationListArgs, location="query")
    @blp.response(200, page_of(NotificationSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """My notifications, newest first (``unread=true``: the unread ones only)."""
        page = reading.notification_page(context(), caller(), args["unread"], args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/count")
class Count(MethodView):
    @allow("authenticated")
    @blp.response(200, CountSchema)
    def get(self) -> Any:
        """How many of my notifications are unread (the bell's number)."""
        unread = reading.unread_count(context(), caller())
        return {"unread": unread, "capped": unread >= reading.COUNT_CAP}


@blp.route("/<int:notification_id>/read")
class Read(MethodView):
    @allow("authenticated")
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: int) -> Any:
        """Mark one of my notifications read."""
        reading.mark_read(context(), caller(), notification_id)
        return reading.one_item(context(), caller(), notification_id)


@blp.route("/read-all")
class ReadAll(MethodView):
    @allow("authenticated")
    @blp.response(200, ReadAllSchema)
    def post(self) -> Any:
        """Mark all my notifications read."""
        return {"marked": reading.mark_all_read(context(), caller())}
