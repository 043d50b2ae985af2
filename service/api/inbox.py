"""My work (issue 15, point 1): the inbox across the caller's departments, bulk claim, saved filters."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.fields import Text
from service.api.schemas import PageArgs
from service.auth import allow
from service.usecases import inbox
from service.usecases.inbox.claims import MAX_CLAIMS

blp = Blueprint("inbox", __name__, url_prefix="/api/v1/inbox", description="我的工作 My work (inbox)")


class InboxArgs(PageArgs):
    section = fields.String(
        load_default="all",
        validate=validate.OneOf(inbox.SECTIONS),
        metadata={"description": "all, mine (claimed by me), open, due_soon (3 days), overdue, returned"},
    )
    process = Text(128, load_default="", metadata={"description": "process id"})
    step = Text(128, load_default="", metadata={"description": "step (user task) id"})
    town = Text(32, load_default="", metadata={"description": "town code"})
    village = Text(32, load_default="", metadata={"description": "village code"})
    due = fields.String(load_default="any", validate=validate.OneOf(inbox.DUE_CHOICES))
    sort = fields.String(load_default="due", validate=validate.OneOf(inbox.SORTS))


class InboxTaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_id = fields.String()
    process_name_zh = fields.String()
    process_name_en = fields.String()
    spec_name = fields.String()
    name_zh = fields.String(metadata={"description": "the step's name"})
    name_en = fields.String()
    department_code = fields.String()
    department_name_zh = fields.String()
    department_name_en = fields.String()
    subject = fields.String()
    village_code = fields.String(allow_none=True)
    village_name_zh = fields.String()
    village_name_en = fields.String()
    town = fields.String(allow_none=True)
    town_name_zh = fields.String()
    town_name_en = fields.String()
    state = fields.String()
    claimed_by = fields.String(allow_none=True)
    claimed_by_name = fields.String()
    head_only = fields.Boolean()
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    returned = fields.Boolean(metadata={"description": "an earlier pass of this step was completed by me"})
    mine = fields.Boolean()


class InboxTaskPageSchema(Schema):
    """A page of the inbox. Its counting stops at a bound (AUXPOLICE_INBOX_COUNT_BOUND, 1,000 by default,
    and never below the end of the page asked for): past it ``total`` is the bound, a lower bound, and
    ``total_is_lower_bound`` is true (pages show "1,000+"). Narrow the list with the filters to count it."""

    items = fields.List(fields.Nested(InboxTaskSchema))
    total = fields.Integer(
        metadata={"description": "how many tasks: exact, or a lower bound when total_is_lower_bound"}
    )
    total_is_lower_bound = fields.Boolean(
        metadata={"description": "true: there are more than total (counting stopped at the bound)"}
    )
    page = fields.Integer()
    per_page = fields.Integer()


class ClaimRequestSchema(Schema):
    task_ids = fields.List(
        Text(36, min_length=1), required=True, validate=validate.Length(min=1, max=MAX_CLAIMS)
    )


class ClaimResultSchema(Schema):
    task_id = fields.String()
    outcome = fields.String(metadata={"description": "claimed, taken, not_allowed, not_found, refused"})
    message = fields.String()
    message_en = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    subject = fields.String()
    holder = fields.String(metadata={"description": "who holds it, when taken"})


class ClaimResultsSchema(Schema):
    results = fields.List(fields.Nested(ClaimResultSchema))


class SavedFilterSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(64, min_length=1, required=True)
    query = Text(1000, load_default="", metadata={"description": "the inbox's query string"})
    created_at = fields.DateTime(dump_only=True)


@blp.route("")
class Inbox(MethodView):
    @allow("staff")
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, InboxTaskPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The caller's work across all their departments: open tasks (head-only ones where they are head)
        and the ones they hold, by section and filters, first due first (``sort``)."""
        query = inbox.InboxQuery(
            **{key: args[key] for key in ("section", "process", "step", "town", "village", "due", "sort")}
        )
        return inbox.inbox_page(context(), caller(), query, args["page"], args["per_page"])


@blp.route("/claim")
class Claim(MethodView):
    @allow("staff")
    @blp.arguments(ClaimRequestSchema)
    @blp.response(200, ClaimResultsSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Claim several tasks: each in its own transaction (audited as a claim), a result per task."""
        return {"results": inbox.claim_many(context(), caller(), body["task_ids"])}


@blp.route("/filters")
class Filters(MethodView):
    @allow("staff")
    @blp.response(200, SavedFilterSchema(many=True))
    def get(self) -> Any:
        """The caller's saved inbox filters."""
        return inbox.saved_filters(context(), caller())

    @allow("staff")
    @blp.arguments(SavedFilterSchema)
    @blp.response(201, SavedFilterSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Save the inbox's current filters under a name (the caller's own; names are unique per user)."""
        return inbox.save_filter(context(), caller(), body["name"], body["query"])


@blp.route("/filters/<int:filter_id>")
class Filter(MethodView):
    @allow("staff")
    @blp.response(204)
    def delete(self, filter_id: int) -> None:
        """Delete one of the caller's saved filters."""
        inbox.delete_filter(context(), caller(), filter_id)
