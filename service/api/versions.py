"""Publish a draft as the next version of its process, and compare two versions (issue 14, point 4)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.fields import Id
from service.api.schemas import DefinitionSchema
from service.auth import allow
from service.usecases.workbench import publish, version_diff

blp = Blueprint("versions", __name__, url_prefix="/api/v1", description="发布与版本比较 Publish and compare")


class PublishRequestSchema(Schema):
    confirm_base_changed = fields.Boolean(
        load_default=False,
        metadata={
            "description": "草稿所基于的版本之后又发布了新版本时，确认仍然发布 "
            "(publish although another version was published after the draft's base)"
        },
    )


class PublishedSchema(DefinitionSchema):
    previous_definition_id = fields.Integer(
        allow_none=True, metadata={"description": "发布前的最新版本（与之比较）The version before it"}
    )
    base_definition_id = fields.Integer(metadata={"description": "草稿所基于的版本 The draft's base version"})
    versions = fields.List(
        fields.Nested(DefinitionSchema), metadata={"description": "本次发布产生的全部流程版本"}
    )


class DiffQuerySchema(Schema):
    from_id = Id(data_key="from", load_default=None, metadata={"description": "原版本（默认为上一版本）"})
    to_id = Id(data_key="to", required=True, metadata={"description": "目标版本"})


# The comparison is nested and bilingual throughout ({zh, en} at every label); documented as an object.
class DiffSchema(Schema):
    process_id = fields.String()
    from_version = fields.Dict(data_key="from")
    to_version = fields.Dict(data_key="to")
    identical = fields.Boolean()
    files = fields.List(fields.Dict())
    elements = fields.List(fields.Dict(), metadata={"description": "BPMN 元素的增删改"})
    decisions = fields.List(fields.Dict(), metadata={"description": "决策表及其规则行的增删改"})
    forms = fields.List(fields.Dict(), metadata={"description": "表单字段的增删改"})
    labels = fields.List(fields.Dict(), metadata={"description": "数据说明的增删改"})
    markers = fields.Dict(metadata={"description": "流程图上的标记：元素 id -> added/changed/removed"})


@blp.route("/drafts/<int:draft_id>/publish")
class Publish(MethodView):
    @allow("designer")
    @blp.arguments(PublishRequestSchema)
    @blp.response(201, PublishedSchema)
    def post(self, body: dict[str, Any], draft_id: int) -> Any:
        """Publish the caller's draft as the next version of its process (refused while errors remain)."""
        done = publish.publish_draft(
            context(), caller().username, draft_id, confirm_base_changed=body["confirm_base_changed"]
        )
        answer = {name: getattr(done.definition, name) for name in DefinitionSchema().fields}
        return answer | {
            "previous_definition_id": done.previous_definition_id,
            "base_definition_id": done.base_definition_id,
            "versions": done.versions,
        }


@blp.route("/definitions/diff")
class Diff(MethodView):
    @allow("designer", "auditor", "admin")
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200, DiffSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """What changed between two versions of one process (``from`` defaults to the one before ``to``)."""
        user = caller()
        from_id, to_id = version_diff.resolve_pair(context(), user, query["from_id"], query["to_id"])
        if from_id is None:
            from_id = to_id  # the first version: compared with itself, nothing changed
        compared = version_diff.compare_versions(context(), user, from_id, to_id, diagrams=False)
        compared["from_version"], compared["to_version"] = compared.pop("from"), compared.pop("to")
        return compared
