"""What the migration page (issue 14, point 5) offers and shows: processes and their versions, the source
version's user tasks with how many instances wait at each, a chosen set of instances checked and resolved
to ids (each report row by name: report.py).

Designers migrate; admins and auditors read the page's history (service/usecases/migration/history.py).
The moves themselves are ``service.usecases.migration.moves``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    DefinitionModel,
    HumanTaskModel,
    InstanceModel,
)
from service.usecases import names
from service.usecases.definition_catalogue import may_read
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError
from service.usecases.migration.moves import MAX_PER_RUN, MigrationRequest

SCOPES = ("all", "keys", "task")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def may_migrate(caller: Caller) -> bool:
    return caller.has_role("designer")


def require_reader(caller: Caller) -> None:
    if not may_read(caller):
        raise ForbiddenError(
            "只有流程设计人员、系统管理员和审计人员可以查看实例迁移",
            english="Only process designers, administrators and auditors may see instance migrations",
        )


def require_designer(caller: Caller) -> None:
    if not may_migrate(caller):
        raise ForbiddenError(
            "只有流程设计人员可以迁移流程实例",
            english="Only process designers may migrate process instances",
        )


@dataclass
class VersionChoice:
    id: int
    version: int
    deployed_by: str
    deployed_at: datetime
    running: int


@dataclass
class TaskChoice:
    element: str
    name_zh: str
    name_en: str
    waiting: int


@dataclass
class Choices:
    processes: list[str]
    process_id: str | None
    versions: list[VersionChoice] = field(default_factory=list)
    tasks: list[TaskChoice] = field(default_factory=list)  # the source version's user tasks
    source: int | None = None
    target: int | None = None


@dataclass(frozen=True)
class MigrationForm:
    """The page's choice as posted: ids that were no number are None."""

    process_id: str | None
    source: int | None
    target: int | None
    scope: str = "all"
    keys_text: str = ""
    task: str | None = None

    def keys(self) -> list[str]:
        return [key for key in _KEY_SEPARATORS.split(self.keys_text.strip()) if key]


class ChoiceError(InvalidInputError):
    """A choice on the migration form that cannot be run; ``field`` is the form field it concerns.

    ``in_english`` gives the English values of fields that are words (a label, a process's name), so both
    templates have the same fields."""

    def __init__(
        self,
        message: str,
        english: str,
        *,
        field_name: str,
        in_english: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, english=english, **params)
        self.field = field_name
        self.in_english = in_english or {}

    @property
    def message_en(self) -> str:
        return (self.english or "").format(**{**self.params, **self.in_english})


def choices(
    ctx: ServiceContext, caller: Caller, process_id: str | None, source: int | None, target: int | None
) -> Choices:
    """The processes, the chosen one's versions (newest first) and the source version's user tasks.

    Without a choice: the first process, its newest version as the target and, as the source, the
    newest older version that still has running instances (else the one before the newest)."""
    require_reader(caller)
    with ctx.database.reading() as session:
        version_counts: dict[str, int] = dict(
            session.execute(
                select(DefinitionModel.process_id, func.count())
                .group_by(DefinitionModel.process_id)
                .order_by(DefinitionModel.process_id)
            ).all()
        )
        processes = list(version_counts)
        if process_id not in processes:
            # Without a choice, a process that has something to migrate to.
            several = [p for p in processes if version_counts[p] > 1]
            process_id = several[0] if several else (processes[0] if processes else None)
        found = Choices(processes, process_id)
        if process_id is None:
            return found
        running = dict(
            session.execute(
                select(InstanceModel.definition_id, func.count())
                .where(InstanceModel.process_id == process_id, InstanceModel.status == "running")
                .group_by(InstanceModel.definition_id)
            ).all()
        )
        found.versions = [
            VersionChoice(d.id, d.version, d.deployed_by, d.deployed_at, running.get(d.id, 0))
            for d in session.scalars(
                select(DefinitionModel)
                .where(DefinitionModel.process_id == process_id)
                .order_by(DefinitionModel.version.desc())
            )
        ]
        ids = [v.id for v in found.versions]
        found.target = target if target in ids else (ids[0] if ids else None)
        older = found.versions[1:]
        fallback = next((v.id for v in older if v.running), older[0].id if older else None)
        found.source = source if source in ids else fallback
        if found.source is not None:
            found.tasks = _waiting_tasks(ctx, session, process_id, found.source)
        return found


def _waiting_tasks(ctx: ServiceContext, session: Session, process_id: str, source: int) -> list[TaskChoice]:
    counts = dict(
        session.execute(
            select(HumanTaskModel.spec_name, func.count(distinct(HumanTaskModel.instance_id)))
            .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
            .where(
                InstanceModel.definition_id == source,
                InstanceModel.status == "running",
                HumanTaskModel.state.in_(OPEN_STATES),
            )
            .group_by(HumanTaskModel.spec_name)
        ).all()
    )
    specs = ctx.specs_for_definition(session, source)
    tasks: list[TaskChoice] = []
    top, subs = specs.spec_for(process_id)
    for wf_spec in (top, *subs.values()):
        for name in wf_spec.task_specs:
            info = specs.user_task(process_id, name)
            if info is not None and all(t.element != name for t in tasks):
                tasks.append(TaskChoice(name, info.name_zh, info.name_en, counts.get(name, 0)))
    return tasks


@dataclass(frozen=True)
class Selection:
    request: MigrationRequest
    instance_ids: list[int]


def select_instances(ctx: ServiceContext, caller: Caller, form: MigrationForm) -> Selection:
    """Check the form's choice and resolve it to instance ids; a ChoiceError names the field and why."""
    require_designer(caller)
    with ctx.database.reading() as session:
        request = _checked_request(ctx, session, form)
        ids = _instance_ids(ctx, session, form, request)
    if form.scope == "task":
        # Checked again on each instance's state: one that moved on since is left out.
        request = replace(request, waiting_at=form.task)
    if not ids:
        raise ChoiceError(
            "所选范围内没有源版本上运行中的流程实例",
            "No running instance of the source version matches the choice",
            field_name="scope",
        )
    if len(ids) > MAX_PER_RUN:
        raise ChoiceError(
            "所选范围内有 {count} 个流程实例，一次最多 {limit} 个，请按业务编号或等待环节缩小范围",
            "{count} instances match, at most {limit} at a time: narrow the choice by business key or task",
            field_name="scope",
            count=len(ids),
            limit=MAX_PER_RUN,
        )
    return Selection(request, ids)


def move_back_selection(
    ctx: ServiceContext, caller: Caller, form: MigrationForm, instance_ids: list[int]
) -> Selection:
    """Moving chosen instances back: ``form`` holds the versions already swapped (source: where they are
    now)."""
    require_designer(caller)
    with ctx.database.reading() as session:
        request = _checked_request(ctx, session, form)
    if not instance_ids:
        raise ChoiceError("请勾选要迁回的实例", "Tick the instances to move back", field_name="instance")
    if len(instance_ids) > MAX_PER_RUN:
        raise ChoiceError(
            "一次最多迁回 {limit} 个流程实例",
            "At most {limit} instances can be moved back at a time",
            field_name="instance",
            limit=MAX_PER_RUN,
        )
    return Selection(request, sorted(set(instance_ids)))


def _checked_request(ctx: ServiceContext, session: Session, form: MigrationForm) -> MigrationRequest:
    """The request the form's process and versions make, refused when they do not fit together."""
    if not form.process_id:
        raise ChoiceError("请选择流程", "Choose a process", field_name="process")
    versions = {
        d.id: d
        for d in session.scalars(
            select(DefinitionModel).where(DefinitionModel.id.in_([form.source or 0, form.target or 0]))
        )
    }
    for field_name, chosen, label_zh, label_en in (
        ("source", form.source, "源版本", "source version"),
        ("target", form.target, "目标版本", "target version"),
    ):
        if chosen is None or chosen not in versions:
            raise ChoiceError(
                "请选择{label}",
                "Choose the {label}",
                field_name=field_name,
                label=label_zh,
                in_english={"label": label_en},
            )
        if versions[chosen].process_id != form.process_id:
            process_names = names.process_names(ctx, session)
            other, wanted = (
                process_names.get(code, names.Name(code, code))
                for code in (versions[chosen].process_id, form.process_id)
            )
            raise ChoiceError(
                "所选{label}（第 {version} 版）属于流程“{other}”，不属于所选流程“{wanted}”",
                "The chosen {label} (version {version}) is one of {other}, not of {wanted}",
                field_name=field_name,
                label=label_zh,
                version=versions[chosen].version,
                other=other.zh,
                wanted=wanted.zh,
                in_english={"label": label_en, "other": other.en, "wanted": wanted.en},
            )
    assert form.source is not None and form.target is not None  # noqa: S101 - checked just above
    if form.source == form.target:
        raise ChoiceError(
            "源版本与目标版本相同（都是第 {version} 版），请选择另一个目标版本",
            "The source and target are the same version (version {version}): choose another target",
            field_name="target",
            version=versions[form.source].version,
        )
    return MigrationRequest(form.process_id, form.source, form.target)


def _instance_ids(
    ctx: ServiceContext, session: Session, form: MigrationForm, request: MigrationRequest
) -> list[int]:
    on_source = (
        InstanceModel.process_id == request.process_id,
        InstanceModel.definition_id == request.from_definition,
        InstanceModel.status == "running",
    )
    if form.scope == "keys":
        keys = form.keys()
        if not keys:
            raise ChoiceError(
                "请填写业务编号，每行一个", "Enter the business keys, one per line", field_name="keys"
            )
        found = dict(
            session.execute(
                select(InstanceModel.business_key, InstanceModel.id).where(
                    InstanceModel.process_id == request.process_id, InstanceModel.business_key.in_(keys)
                )
            ).all()
        )
        unknown = [key for key in keys if key not in found]
        if unknown:
            raise ChoiceError(
                "该流程没有这些业务编号的实例：{keys}",
                "This process has no instance with these business keys: {keys}",
                field_name="keys",
                keys="、".join(unknown[:20]),
                in_english={"keys": ", ".join(unknown[:20])},
            )
        # Keys of instances on another version stay: the report says why each is not moved.
        return sorted(set(found.values()))
    if form.scope == "task":
        tasks = {
            t.element: t for t in _waiting_tasks(ctx, session, request.process_id, request.from_definition)
        }
        if not form.task or form.task not in tasks:
            raise ChoiceError(
                "请选择源版本中的一个用户任务", "Choose a user task of the source version", field_name="task"
            )
        return sorted(
            session.scalars(
                select(HumanTaskModel.instance_id)
                .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
                .where(
                    *on_source, HumanTaskModel.spec_name == form.task, HumanTaskModel.state.in_(OPEN_STATES)
                )
                .distinct()
            )
        )
    return sorted(session.scalars(select(InstanceModel.id).where(*on_source)))
