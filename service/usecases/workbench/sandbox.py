"""Try a draft (issue 14, point 3): sandbox runs of a draft's process on sample data.

A run is a row of ``sandbox_runs`` holding its own workflow state, steps and clock: never an instance, a
queue row or a timer row, and none of its steps is audited as an instance action (only starting a run is
recorded, ``sandbox_run_started``, so the trail shows a designer tried a draft). Only the draft's owner
runs it. Each action loads the run, acts in memory (sandbox_engine.py) and saves the row in its own short
transaction, refused (409) when another action saved the run in between.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import DraftModel, SandboxRunModel
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.workbench.owned import own_draft
from service.usecases.workbench.sandbox_engine import Harness, plain
from workflows.specs import DefinitionError, ProcessSpecs, bundle_sha256, parse_bundle

# Parsed drafts by content hash: a draft is parsed once per save, not once per sandbox action.
_PARSED: OrderedDict[str, ProcessSpecs] = OrderedDict()
_PARSED_MAX = 16
_LOCK = threading.Lock()
KEPT_RUNS = 20


def draft_specs(files: dict[str, str]) -> ProcessSpecs:
    """The draft's files parsed as a stored bundle (the check runs the deploy lints; a run needs a parse)."""
    sha = bundle_sha256(files)
    with _LOCK:
        if sha in _PARSED:
            _PARSED.move_to_end(sha)
            return _PARSED[sha]
    try:
        specs = parse_bundle(files, stored=True)
    except DefinitionError as error:
        raise InvalidInputError(
            "草稿无法解析，不能试运行；请先检查草稿",
            errors={"problems": error.problems},
            english="The draft does not parse and cannot be tried; check the draft first",
        ) from error
    with _LOCK:
        _PARSED[sha] = specs
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return specs


def start_run(
    ctx: ServiceContext,
    actor: str,
    draft_id: int,
    data: dict[str, Any],
    operator_results: dict[str, Any] | None = None,
    process_id: str | None = None,
) -> dict[str, Any]:
    """Start a run of the draft's process (or another of its bundle) with sample start data."""
    with ctx.database.reading() as session:
        draft = own_draft(session, actor, draft_id)
        files, process = dict(draft.files), process_id or draft.process_id
    specs = draft_specs(files)
    if process not in specs.process_ids:
        raise InvalidInputError(
            "草稿中没有流程 {process_id}",
            errors={"process_id": ["草稿中没有该流程", "The draft has no such process"]},
            english="The draft has no process {process_id}",
            process_id=process,
        )
    now = ctx.clock.now()
    harness = Harness(ctx, actor, specs, process, now, dict(operator_results or {}))
    workflow, steps = harness.start(plain(data))
    view = harness.view(workflow)
    with ctx.database.transaction() as session:
        own_draft(session, actor, draft_id)
        run = SandboxRunModel(
            draft_id=draft_id,
            owner=actor,
            process_id=process,
            bundle_sha256=specs.sha256,
            status=view["status"],
            state=harness.dump(workflow),
            start_data=plain(data),
            operator_results=plain(operator_results or {}),
            actions=[],
            steps=steps,
            started_clock=now,
            clock_at=harness.now,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(run)
        session.flush()
        # Runs are throwaway: a draft keeps its newest ones (a scenario is a copy, never a reference).
        stale = select(SandboxRunModel.id).where(SandboxRunModel.draft_id == draft_id)
        stale = stale.order_by(SandboxRunModel.id.desc()).offset(KEPT_RUNS)
        session.execute(delete(SandboxRunModel).where(SandboxRunModel.id.in_(list(session.scalars(stale)))))
        audit.record(
            session, now, actor, "sandbox_run_started", draft_id=draft_id, run_id=run.id, process_id=process
        )
        return _as_dict(run, view)


def run_detail(ctx: ServiceContext, actor: str, run_id: int) -> dict[str, Any]:
    """A run with its steps, what waits now (ready tasks and their forms, timers) and its diagram states."""
    with ctx.database.reading() as session:
        run = _own_run(session, actor, run_id)
        files = dict(session.get(DraftModel, run.draft_id).files)  # type: ignore[union-attr]
        session.expunge(run)
    if bundle_sha256(files) != run.bundle_sha256:
        return _as_dict(run, None)
    harness = Harness(
        ctx, actor, draft_specs(files), run.process_id, run.clock_at, dict(run.operator_results)
    )
    return _as_dict(run, harness.view(harness.load(dict(run.state))))


def latest_run_id(ctx: ServiceContext, actor: str, draft_id: int) -> int | None:
    """The caller's most recent run of the draft, if any."""
    with ctx.database.reading() as session:
        own_draft(session, actor, draft_id)
        return session.scalar(
            select(SandboxRunModel.id)
            .where(SandboxRunModel.draft_id == draft_id)
            .order_by(SandboxRunModel.id.desc())
            .limit(1)
        )


def complete_task(
    ctx: ServiceContext,
    actor: str,
    run_id: int,
    task_id: str,
    data: dict[str, Any],
    operator_results: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete a ready task of the run with form data (validated against its form: 422 otherwise)."""

    def act(harness: Harness, workflow: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        ready = {t.task_id: t.info.spec_name for t in harness.engine.ready_user_tasks(workflow)}
        steps = harness.complete(workflow, task_id, data)
        return {"kind": "complete", "element_id": ready[task_id], "data": plain(data)}, steps

    return _act(ctx, actor, run_id, act, operator_results)


def skip_wait(
    ctx: ServiceContext,
    actor: str,
    run_id: int,
    timer: str | None = None,
    operator_results: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """ "Skip the wait": move the run's clock to a waiting timer's due time and fire it."""

    def act(harness: Harness, workflow: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        waiting = harness.engine.pending_timers(workflow)
        chosen = [t for t in waiting if timer in (None, t.task_id, t.spec_name)]
        steps = harness.skip_wait(workflow, timer)
        first = min(chosen, key=lambda t: t.due_at)
        return {"kind": "skip", "element_id": first.spec_name}, steps

    return _act(ctx, actor, run_id, act, operator_results)


def _act(
    ctx: ServiceContext, actor: str, run_id: int, act: Any, operator_results: dict[str, Any] | None
) -> dict[str, Any]:
    with ctx.database.reading() as session:
        run = _own_run(session, actor, run_id)
        files = dict(session.get(DraftModel, run.draft_id).files)  # type: ignore[union-attr]
        session.expunge(run)
    if bundle_sha256(files) != run.bundle_sha256:
        raise ConflictError(
            "草稿在本次试运行开始后已修改，请重新开始试运行",
            english="The draft changed after this run started; start a new run",
        )
    samples = {**run.operator_results, **plain(operator_results or {})}
    harness = Harness(ctx, actor, draft_specs(files), run.process_id, run.clock_at, samples)
    workflow = harness.load(dict(run.state))
    action, steps = act(harness, workflow)
    view = harness.view(workflow)
    values = {
        "state": harness.dump(workflow),
        "status": view["status"],
        "operator_results": samples,
        "actions": [*run.actions, action],
        "steps": [*run.steps, *steps],
        "clock_at": harness.now,
        "updated_at": ctx.clock.now(),
        "version": run.version + 1,
    }
    with ctx.database.transaction() as session:
        saved = session.execute(
            update(SandboxRunModel)
            .where(SandboxRunModel.id == run_id, SandboxRunModel.version == run.version)
            .values(**values)
        )
        if not getattr(saved, "rowcount", 0):
            raise ConflictError(
                "该试运行已被另一操作修改，请刷新后重试",
                english="Another action changed this run; reload and try again",
            )
    for key, value in values.items():
        setattr(run, key, value)
    return _as_dict(run, view)


def _own_run(session: Session, actor: str, run_id: int) -> SandboxRunModel:
    run = session.get(SandboxRunModel, run_id)
    if run is None:
        raise NotFoundError(
            "试运行 {run_id} 不存在", english="Sandbox run {run_id} does not exist", run_id=run_id
        )
    if run.owner != actor:
        raise ForbiddenError(
            "只有试运行的发起人可以查看和操作它",
            english="Only the designer who started a sandbox run may read or act on it",
        )
    return run


def _as_dict(run: SandboxRunModel, view: dict[str, Any] | None) -> dict[str, Any]:
    """The run as the API and the page show it; ``view`` None when the draft changed since it started."""
    steps = list(run.steps)
    return {
        "id": run.id,
        "draft_id": run.draft_id,
        "process_id": run.process_id,
        "status": view["status"] if view else run.status,
        "draft_changed": view is None,
        "start_data": run.start_data,
        "operator_results": run.operator_results,
        "actions": run.actions,
        "steps": steps,
        "path": [step["element_id"] for step in steps],
        "ready_tasks": view["ready_tasks"] if view else [],
        "timers": view["timers"] if view else [],
        "states": view["states"] if view else {step["element_id"]: "completed" for step in steps},
        "data": view["data"] if view else (steps[-1]["data"] if steps else run.start_data),
        "stall": view["stall"] if view else None,
        "clock_at": run.clock_at,
        "started_clock": run.started_clock,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
    }
