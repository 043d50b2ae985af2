"""Import a model from Camunda Modeler, Flowable or Activiti as a new draft (issue 14, point 6): the files
as deploy takes them (``{"files": {name: text}}``), answered with the draft, what was mapped and what is
left, each on its element with its fix in Chinese and English."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.drafts import DraftSchema
from service.api.schemas import DeployRequestSchema
from service.auth import allow
from service.usecases.workbench import camunda_import

blp = Blueprint(
    "draft_import", __name__, url_prefix="/api/v1/drafts", description="导入其他工具的模型 Model import"
)


class ImportNoteSchema(Schema):
    file = fields.String(allow_none=True, metadata={"description": "所在文件"})
    element_id = fields.String(allow_none=True, metadata={"description": "所在的图元素 id"})
    element_name = fields.String(allow_none=True, metadata={"description": "图元素（或流程）的名称"})
    process_id = fields.String(allow_none=True)
    zh = fields.String(metadata={"description": "中文说明（含修改方法）"})
    en = fields.String(metadata={"description": "English, with the fix"})
    severity = fields.String(
        metadata={"description": "error：发布前必须修正；warning：导入时删除或需确认的内容"}
    )
    source = fields.String(metadata={"description": "import：导入时发现；check：草稿检查发现"})


class ImportResultSchema(Schema):
    draft = fields.Nested(DraftSchema)
    mapped = fields.List(fields.Nested(ImportNoteSchema), metadata={"description": "已自动转换的内容"})
    problems = fields.List(fields.Nested(ImportNoteSchema), metadata={"description": "仍需处理的问题"})
    renamed = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "改名保存的文件：原名 -> 新名"}
    )


@blp.route("/import")
class Import(MethodView):
    @allow("designer")
    @blp.arguments(DeployRequestSchema)
    @blp.response(201, ImportResultSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Import a Camunda/Flowable/Activiti model as a new draft: mapped where the meaning is clear, the
        rest listed as problems on their elements; a file that is not well-formed is refused (422)."""
        return camunda_import.import_model(context(), caller().username, body["files"])
