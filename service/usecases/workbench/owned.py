"""A designer's own draft, read in a transaction: the one access rule of drafts, their sandbox runs, scenarios
and publishing (only the draft's owner reaches it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.persistence.models import DraftModel
from service.usecases.errors import ForbiddenError, NotFoundError


def own_draft(session: Session, actor: str, draft_id: int) -> DraftModel:
    draft = session.get(DraftModel, draft_id)
    if draft is None:
        raise NotFoundError(
            "草稿 {draft_id} 不存在", english="Draft {draft_id} does not exist", draft_id=draft_id
        )
    if draft.owner != actor:
        raise ForbiddenError(
            "只有草稿的创建者可以查看和修改它",
            english="Only the designer who created a draft may read or change it",
        )
    return draft
