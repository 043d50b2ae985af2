"""Deploy and list process definitions (immutable bundles, one version number per process id)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.form_rows import SOURCES as ROW_SOURCES
from service.usecases.grounds import PANELS
from service.usecases.names import department_names
from service.usecases.runner import OPERATORS
from service.usecases.starting import START_USE_CASES
from workflows.problems import Problem
from workflows.specs import (
    DefinitionError,
    ProcessSpecs,
    attach_forms,
    bundle_sha256,
    parse_bundle,
    read_bundle,
)

MAX_BUNDLE_FILES = 200


def check_bundle_size(files: dict[str, str], limit: int) -> None:
    """Refuse a bundle larger than ``limit`` bytes in total, before any of it is parsed (the per-file limit
    alone let 26 files of 1.8 MB through, after 30 s of parsing)."""
    for name, text in files.items():
        _require_utf8(name, text)
    total = sum(len(name.encode()) + len(text.encode()) for name, text in files.items())
    if total > limit or len(files) > MAX_BUNDLE_FILES:
        raise InvalidInputError(
            "流程定义包过大：共 {count} 个文件、{total} 字节，上限为 {files} 个文件、{limit} 字节",
            errors={"files": ["流程定义包过大", "The bundle is too large"]},
            english="The bundle is too large: {count} files, {total} bytes; "
            "at most {files} files, {limit} bytes",
            count=len(files),
            total=total,
            files=MAX_BUNDLE_FILES,
            limit=limit,
        )


def _require_utf8(name: str, text: str) -> None:
    """A lone surrogate (``"\\ud800"`` in the request's JSON) is no character: refused naming its file rather
    than failing when the text is measured or stored."""
    for part in (name, text):
        try:
            part.encode()
        except UnicodeEncodeError as error:
            line = part.count("\n", 0, error.start) + 1
            raise InvalidInputError(
                "文件 {name} 第 {line} 行含有无效字符（单独的代理码位），请删除后重试",
                errors={"files": ["含有无效字符", "Contains an invalid character"]},
                english="The file {name} has an invalid character (a lone surrogate) on line {line}: "
                "remove it and try again",
                name=name.encode(errors="replace").decode(),
                line=line,
            ) from None


def parse_files(ctx: ServiceContext, files: dict[str, str]) -> ProcessSpecs:
    """Parse a bundle and run every lint deploy runs, refusing it with every problem found (each as a line
    ``<where>: <zh> / <en>``)."""
    specs, found = lint_files(ctx, files)
    if specs is None:
        raise InvalidInputError("流程定义校验未通过", errors={"problems": [str(p) for p in found]})
    return specs


def lint_files(ctx: ServiceContext, files: dict[str, str]) -> tuple[ProcessSpecs | None, list[Problem]]:
    """Parse a bundle and run every lint deploy runs: the specs, or None with every problem found, each on
    its element or file in Chinese and English (a designer's draft is checked by exactly this,
    service/usecases/drafts.py). A bundle over the size limits is refused before any parsing."""
    check_bundle_size(files, ctx.settings.max_bundle_bytes)
    with ctx.database.transaction() as session:  # lanes name these; read before the (slow) parse
        departments = {code: (name.zh, name.en) for code, name in department_names(session).items()}
    try:
        specs = parse_bundle(
            files,
            known_operators=OPERATORS.keys(),
            known_use_cases=START_USE_CASES,
            known_panels=PANELS,
            known_row_sources=ROW_SOURCES,
            known_departments=departments,
        )
    except DefinitionError as error:
        return None, error.found
    return specs, []


def deploy_files(ctx: ServiceContext, files: dict[str, str], actor: str) -> list[DefinitionModel]:
    """Validate a bundle and store it; a bundle already deployed is not stored or versioned again."""
    specs = parse_files(ctx, files)
    sha = bundle_sha256(files)
    with ctx.database.transaction() as session:
        existing = list(session.scalars(select(DefinitionModel).where(DefinitionModel.bundle_sha256 == sha)))
        if existing:
            return existing
        now = ctx.clock.now()
        deployed = store_versions(session, specs, files, actor, now)
        audit.record(
            session,
            now,
            actor,
            "definition_deployed",
            sha256=sha,
            processes={d.process_id: d.version for d in deployed},
            files=sorted(files),
        )
        return deployed


def store_versions(
    session: Session, specs: ProcessSpecs, files: dict[str, str], actor: str, now: datetime
) -> list[DefinitionModel]:
    """Store a parsed bundle (once per content) and the next version of each of its processes, in the
    caller's transaction (deploy, and publishing a draft: service/usecases/workbench/publish.py)."""
    if session.get(BundleModel, specs.sha256) is None:
        session.add(BundleModel(sha256=specs.sha256, files=files, created_at=now))
    deployed = []
    for process_id in specs.process_ids:
        latest = session.scalar(
            select(func.max(DefinitionModel.version)).where(DefinitionModel.process_id == process_id)
        )
        definition = DefinitionModel(
            process_id=process_id,
            version=(latest or 0) + 1,
            name=specs.process_names[process_id],
            bundle_sha256=specs.sha256,
            deployed_by=actor,
            deployed_at=now,
        )
        session.add(definition)
        deployed.append(definition)
    session.flush()
    return deployed


def deploy_path(ctx: ServiceContext, path: Path, actor: str) -> list[DefinitionModel]:
    """Deploy the BPMN/DMN files under ``path`` with the forms they reference."""
    try:
        files = attach_forms(read_bundle(path), ctx.settings.forms_dir)
    except DefinitionError as error:
        raise InvalidInputError("流程定义校验未通过", errors={"problems": error.problems}) from error
    return deploy_files(ctx, files, actor)


def deploy_bundled(ctx: ServiceContext, actor: str = "system") -> list[DefinitionModel]:
    """Deploy every process family folder shipped in ``bpmn/``."""
    deployed: list[DefinitionModel] = []
    for folder in sorted(p for p in ctx.settings.bpmn_dir.iterdir() if p.is_dir()):
        deployed.extend(deploy_path(ctx, folder, actor))
    return deployed


def list_definitions(ctx: ServiceContext) -> list[DefinitionModel]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(DefinitionModel).order_by(DefinitionModel.process_id, DefinitionModel.version.desc())
            )
        )


def definition_files(ctx: ServiceContext, definition_id: int) -> dict[str, Any]:
    with ctx.database.reading() as session:
        definition = session.get(DefinitionModel, definition_id)
        if definition is None:
            raise NotFoundError("流程定义 {definition_id} 不存在", definition_id=definition_id)
        bundle = session.get(BundleModel, definition.bundle_sha256)
        return dict(bundle.files) if bundle else {}


def retire(ctx: ServiceContext, actor: str, definition_id: int) -> DefinitionModel:
    """Stop new instances from starting on a definition version (running ones are unaffected)."""
    with ctx.database.transaction() as session:
        definition = session.get(DefinitionModel, definition_id)
        if definition is None:
            raise NotFoundError("流程定义 {definition_id} 不存在", definition_id=definition_id)
        if definition.retired_at is not None:
            raise ConflictError("该流程定义版本已停用")
        definition.retired_at = ctx.clock.now()
        audit.record(
            session,
            definition.retired_at,
            actor,
            "definition_retired",
            definition_id=definition.id,
            process_id=definition.process_id,
            version=definition.version,
        )
        return definition
