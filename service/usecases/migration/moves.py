"""Move running instances from one version of a process to another (issue 14, point 5).

A dry run reads each chosen instance and reports whether it can move and why not; a migration moves each
one in its own transaction (locked through the runner, which also brings its queue rows and timers in line
with the migrated state) with an ``instance_migrated`` audit event holding both versions and the diff. Moving
back is the same call with the versions swapped. The rules of what may move are in workflows/migration.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, DefinitionModel, HumanTaskModel, InstanceModel
from service.persistence.rows import table_of, update_loaded
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from service.usecases.incidents import incidents_recorded
from service.usecases.notifications.raising import on_handover
from service.usecases.projections import queue_row
from service.usecases.runner import InstanceRunner
from workflows.engine import ReadyUserTask, WorkflowEngine
from workflows.extensions import element_english_name
from workflows.migration import MigrationPlan, migrate, plan_migration, waits_at
from workflows.specs import ProcessSpecs

# One request handles at most this many instances; a larger set is migrated in several requests.
MAX_INSTANCES = 500
# The web page works through a larger set in batches of this many (each instance still in its own
# transaction), up to MAX_PER_RUN per submission: past that the request would outlast a browser's patience.
BATCH_SIZE = 50
MAX_PER_RUN = 1000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationRequest:
    process_id: str
    from_definition: int
    to_definition: int
    instances: list[int] | None = None  # None: every running instance of the source version
    business_keys: list[str] | None = None
    waiting_at: str | None = None  # only instances waiting at this element


@dataclass(frozen=True)
class _Versions:
    source: DefinitionModel
    target: DefinitionModel
    target_specs: ProcessSpecs


def _reason(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _outcome(
    instance_id: int, business_key: str | None, plan: MigrationPlan | None, reasons: list[dict[str, str]]
) -> dict[str, Any]:
    if plan is not None:
        reasons = reasons + [_reason(b.reason, b.reason_en) for b in plan.blockers]
    summary = plan.summary() if plan is not None else {"changed": [], "added": [], "removed": []}
    return {
        "instance_id": instance_id,
        "business_key": business_key,
        "can_move": not reasons,
        "migrated": False,
        "failed": False,
        "reasons": reasons,
        **summary,
    }


def _versions(ctx: ServiceContext, session: Session, request: MigrationRequest) -> _Versions:
    found = {}
    for definition_id in (request.from_definition, request.to_definition):
        definition = session.get(DefinitionModel, definition_id)
        if definition is None or definition.process_id != request.process_id:
            raise NotFoundError(
                "流程“{process_id}”没有定义 {definition_id}",
                process_id=request.process_id,
                definition_id=definition_id,
            )
        found[definition_id] = definition
    if request.from_definition == request.to_definition:
        raise InvalidInputError("源版本与目标版本相同，无需迁移")
    target_specs = InstanceRunner(ctx, session, "system").specs_for(request.to_definition)
    return _Versions(found[request.from_definition], found[request.to_definition], target_specs)


def _candidates(session: Session, request: MigrationRequest) -> list[InstanceModel]:
    query = select(InstanceModel).where(InstanceModel.process_id == request.process_id)
    if request.instances is not None:
        query = query.where(InstanceModel.id.in_(request.instances))
    else:
        query = query.where(
            InstanceModel.definition_id == request.from_definition, InstanceModel.status == "running"
        )
    if request.business_keys is not None:
        query = query.where(InstanceModel.business_key.in_(request.business_keys))
    rows = list(session.scalars(query.order_by(InstanceModel.id).limit(MAX_INSTANCES + 1)))
    if len(rows) > MAX_INSTANCES:
        raise InvalidInputError(
            "一次最多迁移 {limit} 个流程实例，请按业务编号或等待环节分批", limit=MAX_INSTANCES
        )
    return rows


def _check(
    runner: InstanceRunner, instance: InstanceModel, request: MigrationRequest, versions: _Versions
) -> tuple[MigrationPlan | None, list[dict[str, str]], BpmnWorkflow | None]:
    """The plan for one instance, or the reasons it is not even a candidate; None when it does not wait
    at ``waiting_at`` (it is left out of the report)."""
    if instance.definition_id != request.from_definition:
        return None, [_reason("该实例不在源版本上", "the instance is not on the source version")], None
    if instance.status != "running":
        return None, [_reason("该实例已不在运行中", "the instance is no longer running")], None
    _engine, workflow = runner.load(instance)
    if request.waiting_at is not None and not waits_at(workflow, request.waiting_at):
        return None, [], None
    spec, dependencies = versions.target_specs.spec_for(request.process_id)
    return plan_migration(workflow, spec, dependencies), [], workflow


def _selected(request: MigrationRequest, reasons: list[dict[str, str]], plan: MigrationPlan | None) -> bool:
    return plan is not None or bool(reasons) or request.waiting_at is None


def dry_run(ctx: ServiceContext, actor: str, request: MigrationRequest) -> list[dict[str, Any]]:
    """Per chosen instance: could it move, why not, and what the target version changes."""
    with ctx.database.reading() as session:
        versions = _versions(ctx, session, request)
        runner = InstanceRunner(ctx, session, actor)
        report = []
        for instance in _candidates(session, request):
            plan, reasons, _ = _check(runner, instance, request, versions)
            if _selected(request, reasons, plan):
                report.append(_outcome(instance.id, instance.business_key, plan, reasons))
        return report


def migrate_instances(ctx: ServiceContext, actor: str, request: MigrationRequest) -> list[dict[str, Any]]:
    """Move every chosen instance that can move, each in its own transaction; report each one."""
    with ctx.database.reading() as session:
        _versions(ctx, session, request)
        chosen = {instance.id: instance.business_key for instance in _candidates(session, request)}
    report = []
    for instance_id, business_key in chosen.items():
        try:
            with incidents_recorded(ctx), ctx.database.transaction() as session:
                outcome = _migrate_one(ctx, session, actor, request, instance_id)
        except ServiceError as error:
            outcome = _failed(instance_id, business_key, _reason(error.message, error.message_en))
        except Exception:  # noqa: BLE001 - one instance's failure must not stop the others; the log keeps it
            log.exception("migrating instance %s failed", instance_id)
            outcome = _failed(
                instance_id,
                business_key,
                _reason("迁移时发生意外错误，已记入系统日志", "an unexpected error, kept in the service log"),
            )
        if outcome is not None:
            report.append(outcome)
    return report


def _failed(instance_id: int, business_key: str | None, reason: dict[str, str]) -> dict[str, Any]:
    """The outcome of an instance whose move was attempted and undone (its transaction rolled back)."""
    return {**_outcome(instance_id, business_key, None, [reason]), "failed": True}


def in_batches(
    ctx: ServiceContext,
    actor: str,
    request: MigrationRequest,
    instance_ids: list[int],
    *,
    move: bool,
    batch_size: int = BATCH_SIZE,
) -> list[dict[str, Any]]:
    """Dry-run (``move`` false) or migrate ``instance_ids`` ``batch_size`` at a time, past MAX_INSTANCES
    if need be; each instance still moves in its own transaction. The request's own choice of instances
    is replaced by ``instance_ids`` (its ``waiting_at`` still applies)."""
    if len(instance_ids) > MAX_PER_RUN:
        raise InvalidInputError(
            "一次最多处理 {limit} 个流程实例（本次选中 {count} 个），请按业务编号或等待环节缩小范围",
            english="At most {limit} instances at a time ({count} chosen): narrow the choice by business "
            "key or by the task they wait at",
            limit=MAX_PER_RUN,
            count=len(instance_ids),
        )
    size = max(1, min(batch_size, MAX_INSTANCES))
    act = migrate_instances if move else dry_run
    report: list[dict[str, Any]] = []
    for first in range(0, len(instance_ids), size):
        batch = replace(request, instances=instance_ids[first : first + size], business_keys=None)
        report.extend(act(ctx, actor, batch))
    return report


def _migrate_one(
    ctx: ServiceContext, session: Session, actor: str, request: MigrationRequest, instance_id: int
) -> dict[str, Any] | None:
    versions = _versions(ctx, session, request)
    runner = InstanceRunner(ctx, session, actor)
    instance = runner.lock(instance_id)
    plan, reasons, _ = _check(runner, instance, request, versions)
    if not _selected(request, reasons, plan):
        return None
    outcome = _outcome(instance.id, instance.business_key, plan, reasons)
    if not outcome["can_move"]:
        return outcome
    spec, dependencies = versions.target_specs.spec_for(request.process_id)

    def move(engine: WorkflowEngine, workflow: BpmnWorkflow) -> list[ReadyUserTask]:
        # Planned again on the locked state the runner loaded: it is the one that is saved.
        fresh = plan_migration(workflow, spec, dependencies)
        if not fresh.can_move:
            raise ConflictError("流程实例已被其他操作修改，请刷新后重试")
        migrate(workflow, fresh, spec, dependencies)
        engine.step(workflow)
        return engine.ready_user_tasks(workflow)

    ready = runner.act(instance, move)
    changed = [task for task in ready if plan and task.info.spec_name in plan.changed]
    _reroute(session, ctx, actor, instance, changed)
    if not update_loaded(
        session, instance, {"definition_id": versions.target.id}, lock_version=instance.lock_version
    ):
        raise ConflictError("流程实例已被其他操作修改，请刷新后重试")
    audit.record(
        session,
        ctx.clock.now(),
        actor,
        "instance_migrated",
        instance_id=instance.id,
        process_id=request.process_id,
        from_definition=versions.source.id,
        from_version=versions.source.version,
        to_definition=versions.target.id,
        to_version=versions.target.version,
        diff=plan.summary() if plan is not None else {},
        # The elements' names as both versions call them, so the history reads by name after the move.
        names=_names(
            [runner.specs_for(request.from_definition), versions.target_specs],
            request.process_id,
            set(plan.changed + plan.added + plan.removed) if plan is not None else set(),
        ),
    )
    outcome["migrated"] = True
    return outcome


def _names(bundles: list[ProcessSpecs], process_id: str, elements: set[str]) -> dict[str, list[str]]:
    """``[zh, en]`` of each of ``elements`` that has a name (the later bundle's name wins)."""
    names: dict[str, list[str]] = {}
    for bundle in bundles:
        top, subs = bundle.spec_for(process_id)
        for wf_spec in (top, *subs.values()):
            for spec in wf_spec.task_specs.values():
                element, name = getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None)
                if element in elements and name:
                    names[element] = [name, element_english_name(spec) or name]
    return names


def _reroute(
    session: Session, ctx: ServiceContext, actor: str, instance: InstanceModel, tasks: list[ReadyUserTask]
) -> None:
    """A ready task keeps its id through the move, so the runner leaves its queue row as it was: give the
    row its element's new name, form and lane (a task moved to another queue is unclaimed). Whoever now has
    a task at another step or in another queue is told (``moved``): to them it is a new task."""
    rows = table_of(HumanTaskModel)
    now = ctx.clock.now()
    for task in tasks:
        fresh = queue_row(instance.id, instance.process_id, task, now)
        values = {key: fresh[key] for key in ("name_zh", "name_en", "department_code", "form", "head_only")}
        open_row = (rows.c.id == task.task_id) & rows.c.state.in_(OPEN_STATES)
        before = session.execute(select(rows.c.name_zh, rows.c.department_code).where(open_row)).first()
        if before is None:
            continue
        session.execute(
            update(rows)
            .where(open_row, rows.c.department_code != values["department_code"])
            .values(state="open", claimed_by=None, claimed_at=None)
        )
        session.execute(update(rows).where(open_row).values(**values))
        if tuple(before) == (values["name_zh"], values["department_code"]):
            continue  # the same step in the same queue (its form or English name changed): nothing new
        after = session.execute(select(rows).where(rows.c.id == task.task_id)).one()._asdict()
        audience = (
            {"username": after["claimed_by"]}
            if after["claimed_by"]
            else {"department_code": after["department_code"]}
        )
        on_handover(session, now, actor, "moved", after, **audience)
