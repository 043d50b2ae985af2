"""Attachments: checked by content, stored once by sha256, audited with the hash, read as the instance is.

A task whose model declares ``requiresAttachment`` is refused completion (422, naming the file) until a
file was attached at that very task (its page or ``POST /api/v1/tasks/<id>/attachments``): a file
attached on the instance's page, or at an earlier pass of a loop, is no file for this step; nor is one
removed or replaced since (attachment_changes.py): only live uploads count, and only they are listed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    AttachmentBlobModel,
    AttachmentModel,
    HumanTaskFacts,
    HumanTaskModel,
)
from service.usecases.case_notes.access import readable_case, require_attacher, require_writer, task_of
from service.usecases.case_notes.sniffing import KINDS, sniff
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError, NotFoundError, ServiceError
from service.usecases.instances import require_reader
from service.usecases.names import person_names
from workflows.extensions import ATTACHMENT_LABELS, UserTaskInfo
from workflows.ports import CHINA

MAX_FILE_NAME = 255
MAX_LABEL_CHARS = 100  # the column's size
ACCEPTED_ZH = "PDF、PNG 或 JPEG 图片、Word 或 Excel 文档"
ACCEPTED_EN = "PDF, PNG or JPEG images, Word or Excel documents"


class TooLargeError(ServiceError):
    """A file past the configured size (AUXPOLICE_MAX_ATTACHMENT_BYTES)."""

    status = 413
    code = "too_large"


def megabytes(size: int) -> str:
    """A size as people read it: 812 B, 37 KB (rounded up), 10.0 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size} B" if size < 1024 else f"{-(-size // 1024)} KB"


def safe_file_name(name: str) -> str:
    """The name a person gave the file, without folders, control characters or a leading dot."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-MAX_FILE_NAME:] or "附件"


def download_name(facts: dict[str, Any]) -> str:
    """The name to save a file as: the given one, with the extension of the kind found in its content
    when the name has another (a PNG named ``contract.pdf`` is saved as ``contract.pdf.png``)."""
    name, kind = str(facts["file_name"]), KINDS[str(facts["kind"])]
    return name if name.lower().endswith(kind.extensions) else name + kind.extensions[0]


def clean_label(label: str | None) -> str | None:
    """The label a person gave the file (政审材料), trimmed; None when blank; 422 when too long."""
    # Line breaks and tabs become one space; other control characters (NUL among them) are dropped.
    spaced = " ".join(unicodedata.normalize("NFC", label or "").split())
    label = "".join(ch for ch in spaced if ch.isprintable())
    if len(label) > MAX_LABEL_CHARS:
        raise InvalidInputError(
            "附件说明不能超过 {limit} 个字（现为 {count} 个）",
            english="The file's label may have at most {limit} characters (it has {count})",
            errors={"label": [f"最多 {MAX_LABEL_CHARS} 个字", f"At most {MAX_LABEL_CHARS} characters"]},
            limit=MAX_LABEL_CHARS,
            count=len(label),
        )
    return label or None


def check_content(content: bytes, limit: int) -> Any:
    """The sniffed kind of ``content``; refused when empty, too large or of no accepted kind."""
    if len(content) > limit:
        raise TooLargeError(
            "附件过大：{size}，上限为 {limit}",
            english="The file is too large: {size}; the limit is {limit}",
            errors={"file": [f"上限为 {megabytes(limit)}", f"The limit is {megabytes(limit)}"]},
            size=megabytes(len(content)),
            limit=megabytes(limit),
        )
    if not content:
        raise InvalidInputError(
            "附件是空文件", english="The file is empty", errors={"file": ["空文件", "Empty"]}
        )
    kind = sniff(content)
    if kind is None:
        raise InvalidInputError(
            "无法接受该文件：按文件内容（而非文件名）判断，它不是{accepted}",
            english="This file is refused: by its content (not its name) it is none of {accepted_en}",
            errors={"file": [f"只接受{ACCEPTED_ZH}", f"Accepted: {ACCEPTED_EN}"]},
            accepted=ACCEPTED_ZH,
            accepted_en=ACCEPTED_EN,
        )
    return kind


def add_attachment(
    ctx: ServiceContext,
    caller: Caller,
    file_name: str,
    content: bytes,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """Attach a file at a task (its department, while open) or to an instance; one transaction, audited."""
    label = clean_label(label)
    kind = check_content(content, ctx.settings.max_attachment_bytes)
    with ctx.database.transaction() as session:
        task = task_of(session, task_id) if task_id is not None else None
        if task is not None:
            require_attacher(session, caller, task)
            instance = task.instance_id
        else:
            assert instance_id is not None  # noqa: S101 - one of the two is always given
            require_writer(session, caller, instance_id)
            instance = instance_id
        row = store_upload(
            session, ctx.clock.now(), caller, instance, task, Upload(file_name, content, kind, label)
        )
        return shown(session, [row])[0]


@dataclass(frozen=True)
class Upload:
    """A file checked by check_content, with the name and label its uploader gave."""

    file_name: str
    content: bytes
    kind: Any
    label: str | None = None


def store_upload(
    session: Session,
    now: datetime,
    caller: Caller,
    instance_id: int,
    task: HumanTaskModel | None,
    upload: Upload,
    **audited: Any,
) -> AttachmentModel:
    """Store the bytes (once by hash) and the upload's row, and audit it (``audited``: more of the event)."""
    name, digest = safe_file_name(upload.file_name), hashlib.sha256(upload.content).hexdigest()
    _store_blob(session, digest, upload.content, now)
    row = AttachmentModel(
        instance_id=instance_id,
        task_id=task.id if task else None,
        step_zh=task.name_zh if task else None,
        step_en=task.name_en if task else None,
        sha256=digest,
        file_name=name,
        label=upload.label,
        kind=upload.kind.code,
        size=len(upload.content),
        uploaded_by=caller.username,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        now,
        caller.username,
        "attachment_added",
        instance_id=instance_id,
        task_id=row.task_id,
        department_code=task.department_code if task else None,
        attachment_id=row.id,
        sha256=digest,
        file_name=name,
        label=upload.label,
        kind=upload.kind.code,
        size=len(upload.content),
        step=row.step_zh,
        **audited,
    )
    return row


def _store_blob(session: Session, digest: str, content: bytes, now: Any) -> None:
    """The bytes once by their hash: a second upload of the same file (even at the same moment) adds none."""
    values = {"sha256": digest, "size": len(content), "content": content, "created_at": now}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(AttachmentBlobModel).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(AttachmentBlobModel).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the service runs on these two
        if session.get(AttachmentBlobModel, digest) is not None:
            return
        statement = insert(AttachmentBlobModel).values(values)
    session.execute(statement)


def list_attachments(
    ctx: ServiceContext, caller: Caller, *, instance_id: int | None = None, task_id: str | None = None
) -> list[dict[str, Any]]:
    """An instance's attachments (each with the step it was attached at), or one task's, oldest first."""
    with ctx.database.reading() as session:
        instance, task = readable_case(session, caller, instance_id, task_id)
        query = select(AttachmentModel).where(
            AttachmentModel.instance_id == instance, AttachmentModel.deleted_at.is_(None)
        )
        if task is not None:
            query = query.where(AttachmentModel.task_id == task.id)
        rows = list(session.scalars(query.order_by(AttachmentModel.created_at, AttachmentModel.id)))
        return shown(session, rows)


def attachment_content(
    ctx: ServiceContext, caller: Caller, attachment_id: int
) -> tuple[dict[str, Any], bytes]:
    """An attachment's facts and bytes, for those who read its instance; a removed or replaced one only for
    auditors (it stays on record for them, by its hash; for the others it is gone, as on the pages)."""
    with ctx.database.reading() as session:
        row = session.get(AttachmentModel, attachment_id)
        if row is None or (row.deleted_at is not None and not caller.has_role("auditor")):
            raise NotFoundError("附件 {attachment_id} 不存在", attachment_id=attachment_id)
        require_reader(session, caller, row.instance_id)
        content = session.scalar(
            select(AttachmentBlobModel.content).where(AttachmentBlobModel.sha256 == row.sha256)
        )
        return shown(session, [row])[0], bytes(content or b"")


def shown(session: Session, rows: list[AttachmentModel]) -> list[dict[str, Any]]:
    people = person_names(session, {row.uploaded_by for row in rows})
    return [
        {
            "id": row.id,
            "instance_id": row.instance_id,
            "task_id": row.task_id,
            "step_zh": row.step_zh,
            "step_en": row.step_en,
            "file_name": row.file_name,
            "label": row.label,
            "kind": row.kind,
            "kind_zh": KINDS[row.kind].label_zh,
            "kind_en": KINDS[row.kind].label_en,
            "content_type": KINDS[row.kind].mime,
            "size": row.size,
            "size_text": megabytes(row.size),
            "sha256": row.sha256,
            "uploaded_by": row.uploaded_by,
            "uploader_name": people[row.uploaded_by].zh if row.uploaded_by in people else row.uploaded_by,
            "created_at": row.created_at.astimezone(CHINA),
            "deleted_at": row.deleted_at.astimezone(CHINA) if row.deleted_at else None,
            "deleted_by": row.deleted_by,
            "replaced_by": row.replaced_by,
        }
        for row in rows
    ]


def required_label(info: UserTaskInfo | None, on_behalf_of: str | None = None) -> tuple[str, str] | None:
    """What file a task requires, in (zh, en), or None when it requires none: a task entered on a person's
    behalf (``on_behalf_of``, service/usecases/on_behalf.py) requires the model's ``onBehalfAttachment``."""
    if info is not None and on_behalf_of is not None and info.on_behalf_attachment in ATTACHMENT_LABELS:
        return ATTACHMENT_LABELS[info.on_behalf_attachment]
    if info is None or info.requires_attachment is None:
        return None
    return ATTACHMENT_LABELS.get(info.requires_attachment, ATTACHMENT_LABELS["true"])


def has_attachment(session: Session, task_id: str) -> bool:
    live = exists().where(AttachmentModel.task_id == task_id, AttachmentModel.deleted_at.is_(None))
    return bool(session.scalar(select(live)))


def check_required_attachment(session: Session, task: HumanTaskFacts, info: UserTaskInfo | None) -> None:
    """Refuse completing a task that requires a file when none was attached at it (422, naming it)."""
    label = required_label(info, task.on_behalf_of)
    if label is None or has_attachment(session, task.id):
        return
    zh, en = label
    raise InvalidInputError(
        "办结该任务前须上传附件：{label}。请在本页“附件”处上传后再提交",
        english=f"Attach {en} before completing this task: upload it under Attachments, then submit",
        errors={"attachments": [f"须上传：{zh}", f"Required: {en}"]},
        label=zh,
    )
