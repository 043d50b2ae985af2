"""What the API says of an officer's monthly field report (issue 17, point 7): the officer's page and the
officer's own list (GET /api/v1/me/field-reports) show the same rows."""

from __future__ import annotations

from marshmallow import Schema, fields


class FieldReportEntrySchema(Schema):
    month = fields.String()
    status = fields.String(metadata={"description": "submitted, returned or confirmed"})
    status_label = fields.String()
    status_label_en = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    highlights = fields.String(allow_none=True)
    late = fields.Boolean()
    returns = fields.Integer()
    return_reason = fields.String(allow_none=True)
    submitted_at = fields.String()
    confirmed_at = fields.String(allow_none=True)
    entered_by = fields.String(
        allow_none=True, metadata={"description": "the clerk who entered it from the officer's signed paper"}
    )
    entered_by_name = fields.String(allow_none=True)


class AwaitingEntrySchema(Schema):
    """An officer's report still in the officer's own queue, as the station's clerk lists them to enter the
    paper reports of officers without an account."""

    task_id = fields.String()
    instance_id = fields.Integer()
    officer_id = fields.Integer()
    subject = fields.String()
    town = fields.String()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    has_account = fields.Boolean(metadata={"description": "the officer has an active account of their own"})
    claimed_by_officer = fields.Boolean(metadata={"description": "the officer is filling it in now"})
    claimed_by_name = fields.String(allow_none=True)
