"""Confidentiality undertakings (issue 17, point 6): the officers in service without one, for the sub-bureau.

Training plans and undertakings are started through ``POST /api/v1/instances`` (process ``training`` with
its plan, ``confidentiality_undertaking`` with ``officer_id``); an officer's trainings and undertaking are
part of ``GET /api/v1/officers/<id>``.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.auth import allow
from service.usecases.roster import training_start

blp = Blueprint(
    "undertakings", __name__, url_prefix="/api/v1/undertakings", description="保密承诺书 Undertakings"
)


class MissingUndertakingSchema(Schema):
    officer_id = fields.Integer()
    name = fields.String()
    town = fields.String()
    village_code = fields.String()
    village_name = fields.String()
    village_name_en = fields.String()
    contract_start = fields.Date()
    registration_instance_id = fields.Integer(allow_none=True)


@blp.route("/missing")
class MissingUndertakings(MethodView):
    @allow("staff", "auditor", "admin")
    @blp.response(200, MissingUndertakingSchema(many=True))
    def get(self) -> Any:
        """The officers in service with no confidentiality undertaking registered (not paid until one is)."""
        return training_start.missing_undertakings(context(), caller())
