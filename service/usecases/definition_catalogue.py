"""The designers' definitions area (issue 14, point 1): every process with its versions and how many
instances run on each, and one version's files and diagram. Designers work here; admins and auditors
may read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel, InstanceModel
from service.usecases.diagrams import served_diagram
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.names import department_names
from workflows.diagram import process_file

READERS = ("designer", "admin", "auditor")


@dataclass
class VersionRow:
    id: int
    version: int
    sha_short: str
    deployed_by: str
    deployed_at: datetime
    retired_at: datetime | None
    running: int = 0
    completed: int = 0


@dataclass
class ProcessVersions:
    process_id: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)


def may_read(caller: Caller) -> bool:
    return any(caller.has_role(role) for role in READERS)


def _require_reader(caller: Caller) -> None:
    if not may_read(caller):
        raise ForbiddenError(
            "只有流程设计人员、系统管理员和审计人员可以查看流程定义",
            english="Only process designers, administrators and auditors may read process definitions",
        )


def catalogue(ctx: ServiceContext, caller: Caller) -> list[ProcessVersions]:
    """Every process, its versions newest first, with running and completed instances per version."""
    _require_reader(caller)
    with ctx.database.reading() as session:
        counts: dict[tuple[int, str], int] = {
            (definition_id, status): count
            for definition_id, status, count in session.execute(
                select(InstanceModel.definition_id, InstanceModel.status, func.count()).group_by(
                    InstanceModel.definition_id, InstanceModel.status
                )
            )
        }
        processes: dict[str, ProcessVersions] = {}
        for d in session.scalars(
            select(DefinitionModel).order_by(DefinitionModel.process_id, DefinitionModel.version.desc())
        ):
            entry = processes.setdefault(d.process_id, ProcessVersions(d.process_id, d.name))
            entry.versions.append(
                VersionRow(
                    d.id,
                    d.version,
                    d.bundle_sha256[:12],
                    d.deployed_by,
                    d.deployed_at,
                    d.retired_at,
                    running=counts.get((d.id, "running"), 0),
                    completed=counts.get((d.id, "completed"), 0),
                )
            )
        return list(processes.values())


def version_detail(ctx: ServiceContext, caller: Caller, definition_id: int, lang: str) -> dict[str, Any]:
    """One version: its row, its bundle's files by kind, and its diagram as the viewer shows it."""
    _require_reader(caller)
    with ctx.database.reading() as session:
        definition = session.get(DefinitionModel, definition_id)
        if definition is None:
            raise NotFoundError(
                "流程定义 {definition_id} 不存在",
                english="Process definition {definition_id} does not exist",
                definition_id=definition_id,
            )
        bundle = session.get(BundleModel, definition.bundle_sha256)
        files: dict[str, str] = dict(bundle.files) if bundle else {}
        xml = process_file(files, definition.process_id)
        diagram = (
            {"bpmn_xml": served_diagram(xml, {}, department_names(session), lang), "states": {}, "names": {}}
            if xml is not None
            else None
        )
        return {
            "definition": definition,
            "files": {
                "bpmn": sorted(n for n in files if n.endswith((".bpmn", ".bpmn20.xml"))),
                "dmn": sorted(n for n in files if n.endswith(".dmn")),
                "forms": sorted(n for n in files if n.endswith(".json")),
            },
            "diagram": diagram,
        }
