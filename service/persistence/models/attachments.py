"""Comments (意见) and attachments on instances and their tasks (issue 15, point 4).

A file's bytes are stored once, keyed by their sha256 (``attachment_blobs``); each upload is a row of
``attachments`` naming the blob, the instance, the task it was attached at (if any), who uploaded it, the
file name the person gave, an optional label (政审材料) and the kind the service found in the content.
A removed or replaced upload keeps its row (``deleted_at``/``deleted_by``, ``replaced_by``) so the audit
trail and the hash stay; the pages and ``requiresAttachment`` count only the live ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class CommentModel(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_instance", "instance_id", "created_at", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    # The task whose page it was written on (None: on the instance page); its step is kept by name too.
    task_id: Mapped[str | None] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    step_zh: Mapped[str | None] = mapped_column(String(256))
    step_en: Mapped[str | None] = mapped_column(String(256))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AttachmentBlobModel(Base):
    __tablename__ = "attachment_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class AttachmentModel(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_instance", "instance_id", "created_at", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    step_zh: Mapped[str | None] = mapped_column(String(256))
    step_en: Mapped[str | None] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # pdf, png, jpeg, docx, xlsx, doc, xls: from the content
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    label: Mapped[str | None] = mapped_column(String(100))
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    replaced_by: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", name="fk_attachments_replaced_by")
    )
