"""The campaign calendar: close or extend registration, extend or end a public notice early, extend a
task's due date; each with a reason, audited (service/usecases/recruitment/calendar.py)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import caller, context
from service.api.schemas import (
    CalendarReasonSchema,
    CampaignCalendarSchema,
    NoticeEndSchema,
    NoticeExtendSchema,
    RegistrationDatesSchema,
    RegistrationExtendSchema,
    TaskDueAtSchema,
    TaskDueSchema,
)
from service.auth import allow
from service.usecases.recruitment import calendar, calendar_view

blp = Blueprint("calendar", __name__, url_prefix="/api/v1", description="招聘日程与期限 Campaign calendar")


@blp.route("/campaigns/<int:campaign_id>/calendar")
class CampaignCalendar(MethodView):
    @allow("department:police_bureau", "auditor")
    @blp.response(200, CampaignCalendarSchema)
    def get(self, campaign_id: int) -> Any:
        """Registration window, notice length, pending timers and open tasks with their due times, and the
        history of calendar changes."""
        return calendar_view.campaign_calendar(context(), caller(), campaign_id)


@blp.route("/campaigns/<int:campaign_id>/calendar/close-registration")
class CloseRegistration(MethodView):
    @allow("head")
    @blp.arguments(CalendarReasonSchema)
    @blp.response(200, RegistrationDatesSchema)
    def post(self, body: dict[str, Any], campaign_id: int) -> Any:
        """Close registration now (the bureau head): applications are refused at once, and the scheduler
        closes the registration in the model at its next round."""
        return calendar.close_registration_now(context(), caller(), campaign_id, body["reason"])


@blp.route("/campaigns/<int:campaign_id>/calendar/extend-registration")
class ExtendRegistration(MethodView):
    @allow("head")
    @blp.arguments(RegistrationExtendSchema)
    @blp.response(200, RegistrationDatesSchema)
    def post(self, body: dict[str, Any], campaign_id: int) -> Any:
        """Give registration a later end date (the bureau head); the timer moves with it."""
        return calendar.extend_registration(
            context(), caller(), campaign_id, body["registration_end"], body["reason"]
        )


@blp.route("/campaigns/<int:campaign_id>/notices/<int:instance_id>/extend")
class ExtendNotice(MethodView):
    @allow("head")
    @blp.arguments(NoticeExtendSchema)
    @blp.response(200, NoticeEndSchema)
    def post(self, body: dict[str, Any], campaign_id: int, instance_id: int) -> Any:
        """Extend one post's public notice to the end of a later day (the bureau head)."""
        return calendar.extend_notice(
            context(), caller(), campaign_id, instance_id, body["ends_on"], body["reason"]
        )


@blp.route("/campaigns/<int:campaign_id>/notices/<int:instance_id>/end")
class EndNotice(MethodView):
    @allow("head")
    @blp.arguments(CalendarReasonSchema)
    @blp.response(200, NoticeEndSchema)
    def post(self, body: dict[str, Any], campaign_id: int, instance_id: int) -> Any:
        """End one post's public notice now (the bureau head), only where the model allows it
        (``mayEndEarly`` on its timer event); 409 otherwise."""
        return calendar.end_notice_now(context(), caller(), campaign_id, instance_id, body["reason"])


@blp.route("/tasks/<task_id>/due-date")
class TaskDueDate(MethodView):
    @allow("head")
    @blp.arguments(TaskDueSchema)
    @blp.response(200, TaskDueAtSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Give an open task a later due date (a head of the task's department), with a reason."""
        return calendar.extend_task_due(context(), caller(), task_id, body["due_on"], body["reason"])
