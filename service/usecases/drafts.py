"""Designers' drafts (issue 14, point 2): a private copy of a published bundle, edited file by file and
checked by the very parse and lints deploy runs, never live (nothing starts on a draft).

Only its owner reads or changes a draft; every change is audited in the same transaction. A draft names
the version it was started from; the published bundle is immutable and never touched.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel, DraftModel
from service.usecases.definitions import check_bundle_size, lint_files
from service.usecases.errors import InvalidInputError, NotFoundError
from service.usecases.workbench.bpmnlint import bpmnlint_problems
from service.usecases.workbench.owned import own_draft
from service.usecases.workbench.scenarios import replay_problems
from workflows.problems import Problem, from_text

__all__ = ["Problem", "check_draft", "create_draft", "delete_draft", "draft_file", "list_drafts", "save_file"]

# The kinds of file a bundle holds: models, decision tables, forms and data labels (workflows/specs.py).
FILE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,120}\.(bpmn|bpmn20\.xml|dmn|json)$")


def create_draft(ctx: ServiceContext, actor: str, definition_id: int) -> DraftModel:
    """Start a draft from a published version: a copy of its whole bundle, owned by ``actor``."""
    with ctx.database.transaction() as session:
        definition = session.get(DefinitionModel, definition_id)
        if definition is None:
            raise NotFoundError("流程定义 {definition_id} 不存在", definition_id=definition_id)
        bundle = session.get(BundleModel, definition.bundle_sha256)
        files = dict(bundle.files) if bundle else {}
        return add_draft(
            session, ctx.clock.now(), actor, definition, definition.process_id, definition.name, files
        )


def add_draft(
    session: Session,
    now: datetime,
    actor: str,
    base: DefinitionModel | None,
    process_id: str,
    name: str,
    files: dict[str, str],
    **audited: Any,
) -> DraftModel:
    """Store a new draft of ``actor``'s with its ``draft_created`` event (``audited`` adds to the event)."""
    draft = DraftModel(
        owner=actor,
        base_definition_id=base.id if base is not None else None,
        process_id=process_id,
        name=name,
        files=files,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    audit.record(
        session,
        now,
        actor,
        "draft_created",
        draft_id=draft.id,
        process_id=process_id,
        version=base.version if base is not None else None,
        **audited,
    )
    return draft


def list_drafts(ctx: ServiceContext, actor: str) -> list[DraftModel]:
    """The caller's own drafts, most recently changed first."""
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(DraftModel)
                .where(DraftModel.owner == actor)
                .order_by(DraftModel.updated_at.desc(), DraftModel.id.desc())
            )
        )


def get_draft(ctx: ServiceContext, actor: str, draft_id: int) -> DraftModel:
    """One of the caller's own drafts, with its files (the draft pages read it whole)."""
    with ctx.database.reading() as session:
        return own_draft(session, actor, draft_id)


def draft_file(ctx: ServiceContext, actor: str, draft_id: int, name: str) -> str:
    with ctx.database.reading() as session:
        files = own_draft(session, actor, draft_id).files
        if name not in files:
            raise NotFoundError("草稿中没有文件 {name}", english="The draft has no file {name}", name=name)
        return str(files[name])


def save_file(ctx: ServiceContext, actor: str, draft_id: int, name: str, text: str) -> DraftModel:
    """Save one file of a draft (a new file is added); the size limits of deploy apply."""
    if not FILE_NAME.match(name):
        raise InvalidInputError(
            "文件名 {name} 不可用：只能是 .bpmn、.bpmn20.xml、.dmn 或 .json 文件，"
            "名称由字母、数字、下划线、点和连字符组成",
            errors={"name": ["文件名不可用", "This file name cannot be used"]},
            english="The file name {name} cannot be used: only .bpmn, .bpmn20.xml, .dmn or .json files, "
            "named with letters, digits, underscores, dots and hyphens",
            name=name,
        )
    with ctx.database.transaction() as session:
        draft = own_draft(session, actor, draft_id)
        files = {**draft.files, name: text}
        check_bundle_size(files, ctx.settings.max_bundle_bytes)
        draft.files = files  # a new dict: the JSON column is saved only when reassigned
        draft.updated_at = ctx.clock.now()
        audit.record(
            session,
            draft.updated_at,
            actor,
            "draft_file_saved",
            draft_id=draft.id,
            process_id=draft.process_id,
            file=name,
            # The content itself stays in the draft; the trail keeps its fingerprint.
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        return draft


def delete_draft(ctx: ServiceContext, actor: str, draft_id: int) -> None:
    with ctx.database.transaction() as session:
        draft = own_draft(session, actor, draft_id)
        audit.record(
            session,
            ctx.clock.now(),
            actor,
            "draft_deleted",
            draft_id=draft.id,
            process_id=draft.process_id,
        )
        session.delete(draft)


def check_draft(ctx: ServiceContext, actor: str, draft_id: int) -> list[Problem]:
    """Run the parse and every lint deploy runs on the draft's files, each problem on its element or file
    in Chinese and English, then bpmnlint's findings (recommended rules, workbench/bpmnlint.py).
    Only ``error`` problems block publishing (our lints' are what deploy refuses; bpmnlint's "error" rules
    block too); ``warning`` ones are advice."""
    with ctx.database.reading() as session:
        files = dict(own_draft(session, actor, draft_id).files)
    try:
        _, found = lint_files(ctx, files)
    except InvalidInputError as error:  # refused before parsing (the bundle's size): the one problem
        return [Problem(error.message, error.message_en, rule="size")]
    found.extend(bpmnlint_problems(files))  # drafts only: deploy does not depend on node
    return found + replay_problems(ctx, actor, draft_id, files)  # scenarios of the process (sandbox)


def blocks_publishing(problems: list[Problem]) -> bool:
    """Whether any of ``problems`` is an error (deploy would refuse the bundle)."""
    return any(problem.blocks for problem in problems)


def problem_of(text: str, files: dict[str, str]) -> Problem:
    """A problem still stated as one line of text (``<where>: <what>``), placed on its file where it names
    one; the lints themselves return structured problems (workflows.problems)."""
    return from_text(text, files)
