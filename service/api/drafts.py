"""Designers' drafts (issue 14, point 2): start one from a published version, save its files one by one,
check it with deploy's own parse and lints, delete it. Only the draft's owner reaches it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.fields import Id
from service.auth import allow
from service.usecases import drafts

blp = Blueprint("drafts", __name__, url_prefix="/api/v1/drafts", description="流程草稿 Drafts")


class DraftCreateSchema(Schema):
    definition_id = Id(required=True, metadata={"description": "草稿所基于的已发布流程定义版本"})


class DraftSchema(Schema):
    id = fields.Integer()
    owner = fields.String()
    base_definition_id = fields.Integer()
    process_id = fields.String()
    name = fields.String()
    file_names = fields.Function(lambda draft: sorted(draft.files), metadata={"description": "文件名"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DraftFileSchema(Schema):
    name = fields.String(dump_only=True)
    text = fields.String(required=True, metadata={"description": "文件内容（BPMN、DMN 或 JSON 表单）"})


class DraftProblemSchema(Schema):
    element_id = fields.String(allow_none=True, metadata={"description": "问题所在的图元素 id"})
    process_id = fields.String(allow_none=True)
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True, metadata={"description": "文件中的行号（XML 校验错误）"})
    zh = fields.String(metadata={"description": "中文说明"})
    en = fields.String(metadata={"description": "English"})
    severity = fields.String(
        metadata={
            "description": "error：阻止发布（部署会拒绝）；warning：建议，不阻止发布",
            "enum": ["error", "warning"],
        }
    )
    rule = fields.String(
        metadata={
            "description": "发现问题的检查：lint、parse、camunda、flow、script、data、timer、"
            "bpmnlint:<规则>、bpmnlint（不可用）、scenario 等"
        }
    )


class DraftCheckSchema(Schema):
    ok = fields.Boolean(metadata={"description": "没有阻止发布的问题（error）：发布时可以通过部署校验"})
    problems = fields.List(fields.Nested(DraftProblemSchema))


@blp.route("")
class Drafts(MethodView):
    @allow("designer")
    @blp.response(200, DraftSchema(many=True))
    def get(self) -> Any:
        """The caller's own drafts, most recently changed first."""
        return drafts.list_drafts(context(), caller().username)

    @allow("designer")
    @blp.arguments(DraftCreateSchema)
    @blp.response(201, DraftSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Start a draft from a published definition version (a copy of its whole bundle)."""
        return drafts.create_draft(context(), caller().username, body["definition_id"])


@blp.route("/<int:draft_id>")
class Draft(MethodView):
    @allow("designer")
    @blp.response(204)
    def delete(self, draft_id: int) -> None:
        """Delete one of the caller's drafts."""
        drafts.delete_draft(context(), caller().username, draft_id)


@blp.route("/<int:draft_id>/files/<name>")
class DraftFile(MethodView):
    @allow("designer")
    @blp.response(200, DraftFileSchema)
    def get(self, draft_id: int, name: str) -> Any:
        """One file of the draft."""
        return {"name": name, "text": drafts.draft_file(context(), caller().username, draft_id, name)}

    @allow("designer")
    @blp.arguments(DraftFileSchema)
    @blp.response(200, DraftSchema)
    def put(self, body: dict[str, Any], draft_id: int, name: str) -> Any:
        """Save one file of the draft (added when new); nothing is checked until asked."""
        return drafts.save_file(context(), caller().username, draft_id, name, body["text"])


@blp.route("/<int:draft_id>/check")
class Check(MethodView):
    @allow("designer")
    @blp.response(200, DraftCheckSchema)
    def post(self, draft_id: int) -> Any:
        """Run the parse and every lint deploy runs; each problem on its element where known."""
        problems = drafts.check_draft(context(), caller().username, draft_id)
        return {"ok": not drafts.blocks_publishing(problems), "problems": problems}
