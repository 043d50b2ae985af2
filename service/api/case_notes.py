"""Comments (意见) and attachments on instances and tasks (issue 15, point 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from service.api import caller, context
from service.api.fields import Text
from service.auth import allow
from service.usecases.case_notes import attachment_changes, attachments, comments
from service.usecases.case_notes.attachments import MAX_LABEL_CHARS
from service.usecases.case_notes.comments import MAX_COMMENT_CHARS

blp = Blueprint(
    "case_notes", __name__, url_prefix="/api/v1", description="意见与附件 Comments and attachments"
)


class CommentInSchema(Schema):
    # Bounded here as text; the use case trims it and refuses an empty one (422 naming ``text``).
    text = Text(MAX_COMMENT_CHARS + 200, required=True, metadata={"description": "意见，最多 2000 字"})


class CommentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True, metadata={"description": "写于该任务页；为空则写于流程实例页"})
    step_zh = fields.String(allow_none=True, metadata={"description": "写下意见时所在的环节"})
    step_en = fields.String(allow_none=True)
    author = fields.String()
    author_name = fields.String()
    text = fields.String()
    created_at = fields.DateTime(metadata={"description": "北京时间（+08:00, Asia/Shanghai）"})


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "PDF、PNG、JPEG、Word 或 Excel 文件（按内容识别）"})


class LabelSchema(Schema):
    # Bounded a little past the column here; the use case trims it and says the limit (422 naming ``label``).
    label = Text(
        MAX_LABEL_CHARS + 100,
        load_default=None,
        metadata={
            "description": "附件说明（可选，如“政审材料”“签字合同扫描件”），最多 100 字；"
            "替换时不填则沿用原说明"
        },
    )


class AttachmentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    step_zh = fields.String(allow_none=True)
    step_en = fields.String(allow_none=True)
    file_name = fields.String()
    label = fields.String(allow_none=True, metadata={"description": "附件说明；页面上显示在文件名旁"})
    kind = fields.String(metadata={"description": "pdf, png, jpeg, docx, xlsx, doc, xls：按文件内容识别"})
    kind_zh = fields.String()
    kind_en = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    size_text = fields.String()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploader_name = fields.String()
    created_at = fields.DateTime(metadata={"description": "北京时间（+08:00, Asia/Shanghai）"})
    deleted_at = fields.DateTime(
        allow_none=True, metadata={"description": "删除或被替换的时间（北京时间）；在用的附件为空"}
    )
    deleted_by = fields.String(allow_none=True)
    replaced_by = fields.Integer(allow_none=True, metadata={"description": "替换它的附件"})


# Who reads follows who reads the instance (the use cases check which instance); only staff add.
READERS = ("staff", "auditor", "designer")


@blp.route("/instances/<int:instance_id>/comments")
class InstanceComments(MethodView):
    @allow(*READERS)
    @blp.response(200, CommentSchema(many=True))
    def get(self, instance_id: int) -> Any:
        """Every comment on the instance and its tasks, oldest first, each with the step it was made at."""
        return comments.list_comments(context(), caller(), instance_id=instance_id)

    @allow("staff")
    @blp.arguments(CommentInSchema)
    @blp.response(201, CommentSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Comment on the instance as a whole (staff who read it; auditors and designers read only)."""
        return comments.add_comment(context(), caller(), body["text"], instance_id=instance_id)


@blp.route("/tasks/<task_id>/comments")
class TaskComments(MethodView):
    @allow(*READERS)
    @blp.response(200, CommentSchema(many=True))
    def get(self, task_id: str) -> Any:
        """The comments made at this task, oldest first (all of its instance's: /instances/<id>/comments)."""
        return comments.list_comments(context(), caller(), task_id=task_id)

    @allow("staff")
    @blp.arguments(CommentInSchema)
    @blp.response(201, CommentSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Comment at this task: the comment keeps the task's step (staff who read its instance)."""
        return comments.add_comment(context(), caller(), body["text"], task_id=task_id)


@blp.route("/tasks/<task_id>/attachments")
class TaskAttachments(MethodView):
    @allow("staff")
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(LabelSchema, location="form")
    @blp.response(201, AttachmentSchema)
    def post(self, files: dict[str, Any], form: dict[str, Any], task_id: str) -> Any:
        """Attach a file at an open task (its department): multipart ``file`` and an optional ``label``; its
        kind is read from its content (PDF, PNG, JPEG, Word, Excel), its size bounded
        (AUXPOLICE_MAX_ATTACHMENT_BYTES, 413)."""
        upload = files["file"]
        content = upload.read(context().settings.max_attachment_bytes + 1)
        return attachments.add_attachment(
            context(), caller(), upload.filename or "", content, task_id=task_id, label=form["label"]
        )


@blp.route("/instances/<int:instance_id>/attachments")
class InstanceAttachments(MethodView):
    @allow(*READERS)
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, instance_id: int) -> Any:
        """Every file attached to the instance or at one of its tasks, oldest first, with the step."""
        return attachments.list_attachments(context(), caller(), instance_id=instance_id)

    @allow("staff")
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(LabelSchema, location="form")
    @blp.response(201, AttachmentSchema)
    def post(self, files: dict[str, Any], form: dict[str, Any], instance_id: int) -> Any:
        """Attach a file to the instance as a whole (staff who read it), as at a task."""
        upload = files["file"]
        content = upload.read(context().settings.max_attachment_bytes + 1)
        return attachments.add_attachment(
            context(), caller(), upload.filename or "", content, instance_id=instance_id, label=form["label"]
        )


@blp.route("/attachments/<int:attachment_id>")
class Attachment(MethodView):
    @allow("staff")
    @blp.response(200, AttachmentSchema)
    def delete(self, attachment_id: int) -> Any:
        """Remove an attachment: its uploader, while the task it was attached at is open (the instance runs,
        for a file on the instance). Soft: the row, its bytes and hash stay for the audit trail
        (``attachment_removed``); the lists leave it out and a required file must be attached again."""
        return attachment_changes.remove_attachment(context(), caller(), attachment_id)


@blp.route("/attachments/<int:attachment_id>/replacement")
class AttachmentReplacement(MethodView):
    @allow("staff")
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(LabelSchema, location="form")
    @blp.response(201, AttachmentSchema)
    def post(self, files: dict[str, Any], form: dict[str, Any], attachment_id: int) -> Any:
        """Replace an attachment with a new file (as removing it): the new upload keeps its step and, unless
        ``label`` is given, its label; the old one is marked replaced. One transaction, both audited."""
        upload = files["file"]
        content = upload.read(context().settings.max_attachment_bytes + 1)
        return attachment_changes.replace_attachment(
            context(), caller(), attachment_id, upload.filename or "", content, label=form["label"]
        )


@blp.route("/attachments/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @allow(*READERS)
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="application/octet-stream",
        description="文件本身：Content-Type 为按内容识别的类型，以附件方式下载",
    )
    def get(self, attachment_id: int) -> Any:
        """Download an attachment (those who read its instance)."""
        facts, content = attachments.attachment_content(context(), caller(), attachment_id)
        return download(facts, content)


def download(facts: dict[str, Any], content: bytes) -> Response:
    """The file as a download: its sniffed type, never sniffed again by the browser, a safe name."""
    return Response(
        content,
        content_type=facts["content_type"],
        headers={
            "Content-Disposition": content_disposition(attachments.download_name(facts)),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 (Chinese names)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)
    return f"attachment; filename=\"{fallback or 'attachment'}\"; filename*=UTF-8''{quote(name, safe='')}"
