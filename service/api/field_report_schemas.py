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
