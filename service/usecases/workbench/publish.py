"""Publish a checked draft as the next immutable version of its process (issue 14, point 4).

Publishing runs the draft's check (``drafts.check_draft``: deploy's parse and every lint) and refuses while
an error remains (a warning does not block); then it stores the draft's bundle through deploy's own code
(``definitions.parse_files`` and ``definitions.store_versions``) and, in the same transaction, records
``draft_published`` and deletes the draft: the published version is the record, and a designer who goes on
starts a new draft from it. A bundle identical to the process's latest version is refused (nothing
changed). When another version of the process was published after the draft's base, publishing needs the
designer's confirmation (``confirm_base_changed``), since the draft would silently undo that version's
changes: the refusal names that version, who published it and when.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import DefinitionModel
from service.usecases import drafts
from service.usecases.definitions import parse_files, store_versions
from service.usecases.errors import ConflictError, InvalidInputError
from service.usecases.names import person_names
from service.usecases.workbench.owned import own_draft
from workflows.ports import CHINA
from workflows.specs import bundle_sha256


@dataclass(frozen=True)
class Published:
    """The draft's process in its new version, the version before it, and every version this created."""

    definition: DefinitionModel
    previous_definition_id: int | None
    base_definition_id: int | None  # None: a draft imported as a new process
    versions: list[DefinitionModel]


def blocking(problems: list[Any]) -> list[Any]:
    """The problems that block publishing: errors (a problem without a severity is an error)."""
    return [p for p in problems if getattr(p, "severity", "error") != "warning"]


def problem_payload(problem: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(problem) and not isinstance(problem, type):
        return dataclasses.asdict(problem)
    return dict(vars(problem))


def publish_draft(
    ctx: ServiceContext, actor: str, draft_id: int, confirm_base_changed: bool = False
) -> Published:
    """Deploy the draft's files as the next version of its process, audited, and delete the draft."""
    problems = blocking(drafts.check_draft(ctx, actor, draft_id))  # the owner's check: 403/404 first
    if problems:
        raise InvalidInputError(
            "草稿还有 {count} 个问题，修正后才能发布",
            errors={"problems": [problem_payload(p) for p in problems]},
            english="The draft still has {count} problem(s); fix them before publishing",
            count=len(problems),
        )
    with ctx.database.reading() as session:
        files = dict(own_draft(session, actor, draft_id).files)
    specs = parse_files(ctx, files)  # passes: the check above ran exactly this
    with ctx.database.transaction() as session:
        draft = own_draft(session, actor, draft_id)
        if bundle_sha256(draft.files) != specs.sha256:
            raise ConflictError(
                "草稿在检查期间被修改，请重新发布",
                english="The draft changed while it was being checked; publish again",
            )
        if draft.process_id not in specs.process_ids:
            raise InvalidInputError(
                "草稿中已没有流程 {process_id}，不能作为它的新版本发布",
                english="The draft no longer holds the process {process_id}; it cannot be its next version",
                process_id=draft.process_id,
            )
        # An imported draft of a new process has no base version (workbench/camunda_import.py).
        base = session.get(DefinitionModel, draft.base_definition_id) if draft.base_definition_id else None
        latest = _latest(session, draft.process_id)
        if latest is not None and latest.bundle_sha256 == specs.sha256:
            raise ConflictError(
                "草稿与最新的第 {version} 版完全相同，没有可发布的更改",
                english="The draft is identical to the latest version {version}: nothing has changed",
                version=latest.version,
            )
        base_changed = latest is not None and (base is None or latest.version > base.version)
        if latest is not None and base_changed and not confirm_base_changed:
            raise _base_changed(session, base, latest)
        now = ctx.clock.now()
        try:
            versions = store_versions(session, specs, files, actor, now)
        except IntegrityError as error:  # another publish of the same process took the number first
            raise ConflictError(
                "该流程刚刚发布了另一个版本，请重新发布",
                english="Another version was just published; publish again",
            ) from error
        definition = next(d for d in versions if d.process_id == draft.process_id)
        audit.record(
            session,
            now,
            actor,
            "draft_published",
            draft_id=draft.id,
            process_id=draft.process_id,
            version=definition.version,
            definition_id=definition.id,
            sha256=specs.sha256,
            base_version=base.version if base is not None else None,
            base_definition_id=draft.base_definition_id,
            base_changed=base_changed,
            processes={d.process_id: d.version for d in versions},
            files=sorted(files),
        )
        session.delete(draft)
        return Published(definition, latest.id if latest else None, draft.base_definition_id, versions)


def _base_changed(session: Session, base: DefinitionModel | None, latest: DefinitionModel) -> ConflictError:
    """The refusal of a draft whose base is no longer the latest version (or which has no base: imported)."""
    errors = {
        "confirm_base_changed": ["需要确认", "Confirmation needed"],
        "base_version": base.version if base is not None else None,
        "latest_version": latest.version,
        "latest_definition_id": latest.id,
    }
    params = {
        "latest": latest.version,
        "who": _person(session, latest.deployed_by),
        "when": latest.deployed_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M（北京时间）"),
        "when_en": latest.deployed_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M Beijing time"),
    }
    if base is None:
        return ConflictError(
            "草稿不是从已发布的版本开始的，而该流程已有{who}于 {when} 发布的第 {latest} 版；"
            "发布草稿将取代它。请先比较，确认后再发布",
            errors=errors,
            english="The draft was not started from a published version, and {who} published version "
            "{latest} of the process at {when_en}; publishing replaces it: compare, then confirm",
            **params,
        )
    return ConflictError(
        "草稿基于第 {base} 版，此后{who}于 {when} 发布了第 {latest} 版；"
        "发布草稿会撤销该版本的更改。请先比较两版，确认后再发布",
        errors=errors,
        english="The draft is based on version {base}; {who} published version {latest} since, "
        "at {when_en}. Publishing the draft undoes that version's changes: compare, then confirm",
        base=base.version,
        **params,
    )


def _person(session: Session, username: str) -> str:
    name = person_names(session, [username]).get(username)
    return name.zh if name else username


def _latest(session: Session, process_id: str) -> DefinitionModel | None:
    return session.scalars(
        select(DefinitionModel)
        .where(DefinitionModel.process_id == process_id)
        .order_by(DefinitionModel.version.desc())
        .limit(1)
    ).first()
