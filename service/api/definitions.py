"""Process definitions: list and deploy."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import caller, context
from service.api.schemas import DefinitionSchema, DeployRequestSchema
from service.auth import allow
from service.usecases import definitions

blp = Blueprint("definitions", __name__, url_prefix="/api/v1/definitions", description="流程定义 Definitions")


@blp.route("")
class Definitions(MethodView):
    @allow("designer", "auditor", "admin")
    @blp.response(200, DefinitionSchema(many=True))
    def get(self) -> Any:
        """List deployed definitions, newest version first."""
        return definitions.list_definitions(context())

    @allow("designer")
    @blp.arguments(DeployRequestSchema)
    @blp.response(201, DefinitionSchema(many=True))
    def post(self, body: dict[str, Any]) -> Any:
        """Deploy a bundle of BPMN, DMN and form files; an unchanged bundle is not versioned again."""
        user = caller()
        return definitions.deploy_files(context(), body["files"], user.username)


@blp.route("/<int:definition_id>/retire")
class Retire(MethodView):
    @allow("designer")
    @blp.response(200, DefinitionSchema)
    def post(self, definition_id: int) -> Any:
        """Retire a definition version: no new instances start on it; running ones go on."""
        return definitions.retire(context(), caller().username, definition_id)
