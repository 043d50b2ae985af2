"""Removing and replacing an attachment: by its uploader, while the task it was attached at is still open.

Nothing is erased. A removed file keeps its row (``deleted_at``, ``deleted_by``) and its bytes (by sha256),
so the audit trail (``attachment_removed``, with the hash) still names what was there; the pages no longer
list it and ``requiresAttachment`` no longer counts it, so a task that needed it needs a file again. A
replacement is a new upload (``attachment_added``, naming the file it replaces) and the old one removed as
replaced (``attachment_replaced``, both hashes), in one transaction: never one without the other.

Once the task is completed its files are the record of how it was done and stay as they are; a file on
the instance as a whole can be changed by its uploader while the instance runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, AttachmentModel, HumanTaskModel, InstanceModel
from service.usecases.case_notes.access import require_writer, task_of
from service.usecases.case_notes.attachments import Upload, check_content, clean_label, shown, store_upload
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError


def remove_attachment(ctx: ServiceContext, caller: Caller, attachment_id: int) -> dict[str, Any]:
    """Remove an attachment (soft: its row and bytes stay on record); audited with its hash."""
    with ctx.database.transaction() as session:
        row, task = _changeable(session, caller, attachment_id)
        now = ctx.clock.now()
        _retire(row, caller, now)
        audit.record(
            session,
            now,
            caller.username,
            "attachment_removed",
            instance_id=row.instance_id,
            task_id=row.task_id,
            department_code=task.department_code if task else None,
            **_facts(row),
        )
        return shown(session, [row])[0]


def replace_attachment(
    ctx: ServiceContext,
    caller: Caller,
    attachment_id: int,
    file_name: str,
    content: bytes,
    label: str | None = None,
) -> dict[str, Any]:
    """Upload a new file in an attachment's place (same task, its label unless another is given) and mark
    the old one replaced; one transaction, both audited."""
    label = clean_label(label)
    kind = check_content(content, ctx.settings.max_attachment_bytes)
    with ctx.database.transaction() as session:
        old, task = _changeable(session, caller, attachment_id)
        now = ctx.clock.now()
        upload = Upload(file_name, content, kind, label if label is not None else old.label)
        new = store_upload(
            session, now, caller, old.instance_id, task, upload, replaces=old.id, replaces_sha256=old.sha256
        )
        _retire(old, caller, now)
        old.replaced_by = new.id
        audit.record(
            session,
            now,
            caller.username,
            "attachment_replaced",
            instance_id=old.instance_id,
            task_id=old.task_id,
            department_code=task.department_code if task else None,
            **_facts(old),
            replaced_by=new.id,
            new_sha256=new.sha256,
            new_file_name=new.file_name,
        )
        return shown(session, [new])[0]


def may_change(
    caller: Caller, attachment: dict[str, Any], task: dict[str, Any] | None, *, instance_running: bool
) -> bool:
    """Whether a page offers removing and replacing this listed file: the same rule as _changeable, read
    from what the page already has (the file's uploader; the task it was attached at still open, or for a
    file on the instance as a whole, the instance still running)."""
    if attachment["uploaded_by"] != caller.username:
        return False
    if attachment["task_id"] is None:
        return instance_running
    return task is not None and task["id"] == attachment["task_id"] and task["state"] in OPEN_STATES


def _changeable(
    session: Session, caller: Caller, attachment_id: int
) -> tuple[AttachmentModel, HumanTaskModel | None]:
    """The live attachment and its task, locked, once the caller may change it; refusals say why."""
    row = session.get(AttachmentModel, attachment_id, with_for_update=True)
    if row is None:
        raise NotFoundError("附件 {attachment_id} 不存在", attachment_id=attachment_id)
    require_writer(session, caller, row.instance_id)
    if row.deleted_at is not None:
        raise ConflictError(
            "该附件已被删除或替换，不能再更改",
            english="This file was already removed or replaced and can no longer be changed",
        )
    if row.uploaded_by != caller.username:
        raise ForbiddenError(
            "只有上传人可以删除或替换该附件",
            english="Only the person who uploaded this file may remove or replace it",
        )
    task = task_of(session, row.task_id) if row.task_id is not None else None
    if task is not None and task.state not in OPEN_STATES:
        raise ConflictError(
            "该附件所在环节已办结或已取消，附件作为办理记录保留，不能删除或替换",
            english="The step this file was attached at is completed or cancelled: the file stays as the "
            "record of how it was done and can no longer be removed or replaced",
        )
    if task is None:
        instance = session.get(InstanceModel, row.instance_id)
        if instance is None or instance.status != "running":
            raise ConflictError(
                "流程实例已结束，该附件作为办理记录保留，不能删除或替换",
                english="The instance has ended: this file stays on record and can no longer be removed "
                "or replaced",
            )
    return row, task


def _retire(row: AttachmentModel, caller: Caller, now: datetime) -> None:
    row.deleted_at, row.deleted_by = now, caller.username


def _facts(row: AttachmentModel) -> dict[str, Any]:
    """What the audit event keeps of a file that leaves the pages: enough to find and verify it."""
    return {
        "attachment_id": row.id,
        "sha256": row.sha256,
        "file_name": row.file_name,
        "label": row.label,
        "kind": row.kind,
        "size": row.size,
        "uploaded_by": row.uploaded_by,
        "step": row.step_zh,
    }
