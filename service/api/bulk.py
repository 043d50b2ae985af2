"""Bulk completion of a step's tasks in a table (issue 15, point 1): the rows, and one submission of many."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from service.api import caller, context
from service.api.fields import Text
from service.auth import allow
from service.usecases import bulk_scoring, bulk_workbook

blp = Blueprint("bulk", __name__, url_prefix="/api/v1", description="批量办理 Bulk completion")


class BulkStepSchema(Schema):
    step = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    open = fields.Integer(
        metadata={"description": "open tasks, exact or (open_is_lower_bound) a lower bound"}
    )
    open_is_lower_bound = fields.Boolean(
        metadata={"description": "true: more than open (counted up to AUXPOLICE_INBOX_COUNT_BOUND)"}
    )


class OptionSchema(Schema):
    value = fields.String()
    label_zh = fields.String()
    label_en = fields.String()


class ColumnSchema(Schema):
    field = fields.String(metadata={"description": "dotted path in the form data: station_items.attendance"})
    title_zh = fields.String()
    title_en = fields.String()
    group_zh = fields.String(metadata={"description": "the title of the group (object) it belongs to"})
    group_en = fields.String()
    kind = fields.String(metadata={"description": "text integer number boolean select date"})
    required = fields.Boolean()
    minimum = fields.Raw(allow_none=True)
    maximum = fields.Raw(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))


class BulkRowSchema(Schema):
    task_id = fields.String()
    instance_id = fields.Integer()
    state = fields.String()
    claimed_by = fields.String(allow_none=True)
    claimed_by_name = fields.String(allow_none=True)
    may_complete = fields.Boolean()
    officer_id = fields.Integer(allow_none=True)
    officer_name = fields.String()
    id_number_masked = fields.String(metadata={"description": "370602********1234, empty when unknown"})
    village_code = fields.String(allow_none=True)
    village_name_zh = fields.String()
    village_name_en = fields.String()
    subject = fields.String()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()


class BulkTableSchema(Schema):
    department = fields.String()
    step = fields.String()
    process_id = fields.String(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()
    form = fields.String()
    form_schema = fields.Dict()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Nested(BulkRowSchema))


class BulkItemSchema(Schema):
    task_id = Text(36, min_length=1, required=True)
    data = fields.Dict(required=True, metadata={"description": "the form's data; an empty row is skipped"})


class BulkCompleteSchema(Schema):
    items = fields.List(
        fields.Nested(BulkItemSchema),
        required=True,
        validate=validate.Length(min=1, max=bulk_scoring.MAX_ROWS),
    )


class BulkResultSchema(Schema):
    task_id = fields.String()
    result = fields.String(metadata={"description": "completed, refused, skipped (left empty) or taken"})
    status = fields.Integer(metadata={"description": "the status a single completion would answer"})
    message = fields.String()
    message_en = fields.String()
    errors = fields.Raw(allow_none=True, metadata={"description": "by field: [中文, English]"})
    taken_by = fields.String(metadata={"description": "who claimed or completed it meanwhile"})


class BulkOutcomeSchema(Schema):
    results = fields.List(fields.Nested(BulkResultSchema))
    completed = fields.Integer()
    refused = fields.Integer()
    skipped = fields.Integer()
    taken = fields.Integer()


@blp.route("/queues/<department>/bulk-steps")
class BulkSteps(MethodView):
    @allow("staff")
    @blp.response(200, BulkStepSchema(many=True))
    def get(self, department: str) -> Any:
        """The steps of the department whose open tasks the caller may complete in a table."""
        return bulk_scoring.bulk_steps(context(), caller(), department)


@blp.route("/queues/<department>/steps/<step>/bulk")
class BulkTable(MethodView):
    @allow("staff")
    @blp.response(200, BulkTableSchema)
    def get(self, department: str, step: str) -> Any:
        """The table of a step (``bulkComplete``): its columns (the form's fields, a rubric's items one by
        one with their maxima) and one row per open task the caller is offered, with officer and village."""
        return bulk_scoring.bulk_table(context(), caller(), department, step)


@blp.route("/queues/<department>/steps/<step>/bulk-complete")
class BulkComplete(MethodView):
    @allow("staff")
    @blp.arguments(BulkCompleteSchema)
    @blp.response(200, BulkOutcomeSchema)
    def post(self, body: dict[str, Any], department: str, step: str) -> Any:
        """Complete each item's task with its data, each in its own transaction and validated against its
        own form; a result per item. An item whose data is empty is skipped; a refused one changes nothing."""
        return bulk_scoring.bulk_complete(context(), caller(), department, step, body["items"])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookArgs(Schema):
    fill = fields.String(
        load_default=None,
        validate=validate.OneOf(["maximum"]),
        metadata={"description": "maximum: each score filled with its maximum (满分)"},
    )


class WorkbookUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "the workbook downloaded here, filled in (.xlsx)"})


class UploadResultSchema(BulkResultSchema):
    row = fields.Integer(metadata={"description": "the row's number in Excel"})
    officer_name = fields.String()
    village_name_zh = fields.String()
    village_name_en = fields.String()


class UploadOutcomeSchema(BulkOutcomeSchema):
    results = fields.List(fields.Nested(UploadResultSchema))


@blp.route("/queues/<department>/steps/<step>/bulk-workbook")
class BulkWorkbook(MethodView):
    @allow("staff")
    @blp.arguments(WorkbookArgs, location="query")
    @blp.response(200, content_type=XLSX, description="the table as an .xlsx workbook")
    def get(self, args: dict[str, Any], department: str, step: str) -> Any:
        """The table as an Excel workbook: a row per officer (name, village, officer number and masked ID
        number as text), the form's fields with Chinese headers and Excel's checks, the task id hidden."""
        content, name = bulk_workbook.bulk_sheet(
            context(), caller(), department, step, full_marks=args["fill"] == "maximum"
        )
        return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)

    @allow("staff")
    @blp.arguments(WorkbookUploadSchema, location="files")
    @blp.response(200, UploadOutcomeSchema)
    def post(self, files: dict[str, Any], department: str, step: str) -> Any:
        """Complete the tasks of a filled workbook (multipart ``file``). Every row is checked against the
        form first: any problem refuses the whole file (422, ``errors`` by row and column) and nothing is
        completed. Then each row is completed in its own transaction, with a result per row and its
        number; a row whose task was completed or claimed meanwhile, or is not this table's, is refused."""
        content = files["file"].read(bulk_workbook.MAX_BYTES + 1)
        return bulk_workbook.bulk_upload(context(), caller(), department, step, content)
