"""Comments (意见) on an instance or one of its tasks: written with the step they were made at, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import CommentModel
from service.usecases.case_notes.access import readable_case, require_writer, task_of
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError
from service.usecases.names import person_names
from workflows.ports import CHINA

MAX_COMMENT_CHARS = 2000


def check_text(text: str) -> str:
    """The comment's text, trimmed: not empty, at most MAX_COMMENT_CHARS, no NUL (422 naming the field)."""
    text = text.strip()
    if not text:
        problem = ("意见不能为空", "The comment must not be empty")
    elif "\x00" in text:
        problem = ("意见不能包含空字符（NUL）", "The comment must not contain the NUL character")
    elif len(text) > MAX_COMMENT_CHARS:
        problem = (
            f"意见不能超过 {MAX_COMMENT_CHARS} 个字（现为 {len(text)} 个）",
            f"The comment may have at most {MAX_COMMENT_CHARS} characters (it has {len(text)})",
        )
    else:
        return text
    raise InvalidInputError(problem[0], errors={"text": list(problem)}, english=problem[1])


def add_comment(
    ctx: ServiceContext,
    caller: Caller,
    text: str,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
) -> dict[str, Any]:
    """Add a comment on an instance (its page) or on a task (its page: the task's step is kept with it)."""
    text = check_text(text)
    with ctx.database.transaction() as session:
        task = task_of(session, task_id) if task_id is not None else None
        instance = task.instance_id if task is not None else instance_id
        assert instance is not None  # noqa: S101 - one of the two is always given
        require_writer(session, caller, instance)
        now = ctx.clock.now()
        comment = CommentModel(
            instance_id=instance,
            task_id=task.id if task else None,
            step_zh=task.name_zh if task else None,
            step_en=task.name_en if task else None,
            author=caller.username,
            text=text,
            created_at=now,
        )
        session.add(comment)
        session.flush()
        audit.record(
            session,
            now,
            caller.username,
            "comment_added",
            instance_id=instance,
            task_id=comment.task_id,
            department_code=task.department_code if task else None,
            comment_id=comment.id,
            step=comment.step_zh,
            text=text,
        )
        return _shown(session, [comment])[0]


def list_comments(
    ctx: ServiceContext, caller: Caller, *, instance_id: int | None = None, task_id: str | None = None
) -> list[dict[str, Any]]:
    """An instance's comments (all of them, each with its step), or one task's, oldest first."""
    with ctx.database.reading() as session:
        instance, task = readable_case(session, caller, instance_id, task_id)
        query = select(CommentModel).where(CommentModel.instance_id == instance)
        if task is not None:
            query = query.where(CommentModel.task_id == task.id)
        rows = list(session.scalars(query.order_by(CommentModel.created_at, CommentModel.id)))
        return _shown(session, rows)


def _shown(session: Session, rows: list[CommentModel]) -> list[dict[str, Any]]:
    people = person_names(session, {row.author for row in rows})
    return [
        {
            "id": row.id,
            "instance_id": row.instance_id,
            "task_id": row.task_id,
            "step_zh": row.step_zh,
            "step_en": row.step_en,
            "author": row.author,
            "author_name": people[row.author].zh if row.author in people else row.author,
            "text": row.text,
            "created_at": row.created_at.astimezone(CHINA),
        }
        for row in rows
    ]
