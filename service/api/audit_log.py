"""Audit trail for auditors: chain verification."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import context
from service.auth import allow
from service.usecases import audit_trail

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


@blp.route("/verify")
class Verify(MethodView):
    @allow("auditor")
    @blp.response(200, VerificationSchema)
    def get(self) -> Any:
        """Re-compute the hash chain and name every altered, removed, reordered or unsealed event."""
        return audit_trail.verify_chain(context())
