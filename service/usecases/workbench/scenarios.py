"""Scenarios (issue 14, point 3): a sandbox run saved as a regression test of its process, written without
code. A scenario keeps the start data, the designer's actions in order (tasks completed with their form data,
waits skipped), every service task's result as it was in the run (so a replay never depends on live data
or the clock), and the steps that ran with the data after each. It belongs to the process, not to the
draft: every check of a draft of that process replays them all (``replay_problems``), and a scenario whose
path, decisions or data differ, or whose task is no longer there or refuses its data, is a problem on the
element where the replay left the recorded run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import DraftModel, DraftScenarioModel, SandboxRunModel
from service.usecases.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from service.usecases.workbench.owned import own_draft
from service.usecases.workbench.sandbox import draft_specs
from service.usecases.workbench.sandbox_engine import Harness, plain
from workflows.specs import ProcessSpecs


@dataclass(frozen=True)
class Divergence:
    """Where a replay left its scenario: the element, and what differs, in Chinese and English."""

    element_id: str | None
    zh: str
    en: str


def save_scenario(
    ctx: ServiceContext, actor: str, draft_id: int, run_id: int, name: str
) -> DraftScenarioModel:
    """Save a run of the draft (finished or not) as a named scenario of its process."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInputError(
            "场景名称不能为空，且不超过 200 个字",
            errors={
                "name": [
                    "请填写场景名称（不超过 200 个字）",
                    "Give the scenario a name (200 characters at most)",
                ]
            },
            english="A scenario needs a name of at most 200 characters",
        )
    try:
        with ctx.database.transaction() as session:
            own_draft(session, actor, draft_id)
            run = session.get(SandboxRunModel, run_id)
            if run is None or run.draft_id != draft_id:
                raise NotFoundError(
                    "草稿 {draft_id} 没有试运行 {run_id}",
                    english="Draft {draft_id} has no sandbox run {run_id}",
                    draft_id=draft_id,
                    run_id=run_id,
                )
            if run.owner != actor:
                raise ForbiddenError(
                    "只有试运行的发起人可以保存它", english="Only the designer who started a run may save it"
                )
            samples = dict(run.operator_results)
            for step in run.steps:  # what each service task returned, so a replay reads no live data
                if step["kind"] == "service" and "result" in step["detail"]:
                    samples.setdefault(step["element_id"], step["detail"]["result"])
            now = ctx.clock.now()
            scenario = DraftScenarioModel(
                process_id=run.process_id,
                owner=actor,
                name=name,
                draft_id=draft_id,
                start_data=run.start_data,
                operator_results=samples,
                actions=run.actions,
                expected_steps=run.steps,
                end_data=run.steps[-1]["data"] if run.steps else run.start_data,
                finished=run.status == "completed",
                started_clock=run.started_clock,
                created_at=now,
            )
            session.add(scenario)
            session.flush()
            audit.record(
                session,
                now,
                actor,
                "draft_scenario_saved",
                draft_id=draft_id,
                run_id=run_id,
                scenario_id=scenario.id,
                process_id=run.process_id,
                name=name,
            )
            return scenario
    except IntegrityError as error:
        raise ConflictError(
            "该流程已有名为“{name}”的场景",
            english="The process already has a scenario named {name}",
            name=name,
        ) from error


def list_scenarios(ctx: ServiceContext, actor: str, draft_id: int) -> list[DraftScenarioModel]:
    """Every scenario of the draft's process (any designer's: they test the process), oldest first."""
    with ctx.database.reading() as session:
        draft = own_draft(session, actor, draft_id)
        return _of_process(session, draft.process_id)


def delete_scenario(ctx: ServiceContext, actor: str, draft_id: int, scenario_id: int) -> None:
    with ctx.database.transaction() as session:
        draft = own_draft(session, actor, draft_id)
        scenario = session.get(DraftScenarioModel, scenario_id)
        if scenario is None or scenario.process_id != draft.process_id:
            raise NotFoundError(
                "场景 {scenario_id} 不存在",
                english="Scenario {scenario_id} does not exist",
                scenario_id=scenario_id,
            )
        if scenario.owner != actor:
            raise ForbiddenError(
                "只有场景的创建者可以删除它", english="Only the designer who saved a scenario may delete it"
            )
        audit.record(
            session,
            ctx.clock.now(),
            actor,
            "draft_scenario_deleted",
            draft_id=draft_id,
            scenario_id=scenario.id,
            process_id=scenario.process_id,
            name=scenario.name,
        )
        session.delete(scenario)


def replay_scenarios(ctx: ServiceContext, actor: str, draft_id: int) -> list[dict[str, Any]]:
    """Replay every scenario of the draft's process on the draft: pass or fail, and where it diverged."""
    with ctx.database.reading() as session:
        draft = own_draft(session, actor, draft_id)
        files, scenarios = dict(draft.files), _of_process(session, draft.process_id)
    if not scenarios:
        return []
    specs = draft_specs(files)
    results = []
    for scenario in scenarios:
        divergence, path = replay(ctx, actor, specs, scenario)
        results.append(
            {
                "scenario": scenario,
                "passed": divergence is None,
                "element_id": divergence.element_id if divergence else None,
                "zh": divergence.zh if divergence else "与记录一致",
                "en": divergence.en if divergence else "Same as recorded",
                "path": path,
                "expected_path": [step["element_id"] for step in scenario.expected_steps],
            }
        )
    return results


def replay_problems(ctx: ServiceContext, actor: str, draft_id: int, files: dict[str, str]) -> list[Any]:
    """The check's problems from scenarios: one per scenario of the process that no longer replays.

    Nothing when the draft does not parse (the check already says why)."""
    from service.usecases.drafts import Problem  # drafts calls this from its check

    with ctx.database.reading() as session:
        draft = session.get(DraftModel, draft_id)
        scenarios = _of_process(session, draft.process_id) if draft is not None else []
    if not scenarios:
        return []
    try:
        specs = draft_specs(files)
    except InvalidInputError:
        return []
    extra: dict[str, Any] = (
        {"rule": "scenario"} if "rule" in {f.name for f in dataclasses.fields(Problem)} else {}
    )
    problems = []
    for scenario in scenarios:
        divergence, _ = replay(ctx, actor, specs, scenario)
        if divergence is None:
            continue
        problems.append(
            Problem(
                zh=f"场景“{scenario.name}”重放结果与记录不同：{divergence.zh}",
                en=f"Scenario {scenario.name!r} no longer replays as recorded: {divergence.en}",
                process_id=scenario.process_id,
                element_id=divergence.element_id,
                file=None,
                **extra,
            )
        )
    return problems


def replay(
    ctx: ServiceContext, actor: str, specs: ProcessSpecs, scenario: DraftScenarioModel
) -> tuple[Divergence | None, list[str]]:
    """Replay one scenario on ``specs``; the first divergence from the recorded steps, and the path taken."""
    process_id = scenario.process_id
    if process_id not in specs.process_ids:
        return Divergence(
            None, f"草稿中已没有流程 {process_id}", f"the draft no longer has process {process_id}"
        ), []
    harness = Harness(ctx, actor, specs, process_id, scenario.started_clock, dict(scenario.operator_results))
    steps: list[dict[str, Any]] = []
    failure: Divergence | None = None
    try:
        workflow, steps = harness.start(dict(scenario.start_data))
        for action in scenario.actions:
            failure = _replay_action(harness, workflow, action, steps)
            if failure is not None:
                break
    except ServiceError as error:
        failure = Divergence(
            steps[-1]["element_id"] if steps else _start_event(specs, process_id),
            f"重放失败：{error.message}",
            f"the replay failed: {error.message_en}",
        )
    path = [step["element_id"] for step in steps]
    return _compare(steps, list(scenario.expected_steps), dict(scenario.end_data), failure), path


def _replay_action(
    harness: Harness, workflow: Any, action: dict[str, Any], steps: list[dict[str, Any]]
) -> Divergence | None:
    element = action.get("element_id")
    if action.get("kind") == "skip":
        timers = [t for t in harness.engine.pending_timers(workflow) if t.spec_name == element]
        if not timers:
            return Divergence(element, f"定时事件 {element} 没有在等待", f"timer {element} is not waiting")
        steps.extend(harness.skip_wait(workflow, timers[0].task_id))
        return None
    ready = [t for t in harness.engine.ready_user_tasks(workflow) if t.info.spec_name == element]
    if not ready:
        return Divergence(
            element,
            f"任务 {element} 没有待办（已删除或流程未到达）",
            f"task {element} is not waiting (removed or not reached)",
        )
    try:
        steps.extend(harness.complete(workflow, ready[0].task_id, dict(action.get("data") or {})))
    except InvalidInputError as error:
        fields = "; ".join(
            f"{k}: {v[0] if isinstance(v, list) else v}" for k, v in (error.errors or {}).items()
        )
        fields_en = "; ".join(
            f"{k}: {v[1] if isinstance(v, list) and len(v) > 1 else v}"
            for k, v in (error.errors or {}).items()
        )
        return Divergence(
            element,
            f"任务 {element} 的表单不再接受场景中的数据（{fields or error.message}）",
            f"the form of task {element} no longer accepts the scenario's data "
            f"({fields_en or error.message_en})",
        )
    return None


def _compare(
    actual: list[dict[str, Any]],
    expected: list[dict[str, Any]],
    end_data: dict[str, Any],
    failure: Divergence | None,
) -> Divergence | None:
    for index, (got, want) in enumerate(zip(actual, expected, strict=False)):
        if got["element_id"] != want["element_id"]:
            before = expected[index - 1] if index else None
            return Divergence(
                before["element_id"] if before else got["element_id"],
                f"{'在“' + before['name'] + '”之后' if before else '开始后'}，"
                f"记录中下一步是“{want['name']}”，现在是“{got['name']}”",
                f"{'after ' + before['name_en'] if before else 'after the start'}, the recorded next step is "
                f"{want['name_en']}, now it is {got['name_en']}",
            )
        difference = _step_difference(got, want)
        if difference is not None:
            return difference
    if failure is not None:
        return failure
    if len(actual) != len(expected):
        longer = actual if len(actual) > len(expected) else expected
        step = longer[min(len(actual), len(expected))]
        if len(actual) > len(expected):
            return Divergence(
                step["element_id"],
                f"流程多走了一步“{step['name']}”（记录中到此为止）",
                f"the process went on to {step['name_en']} (the recording stopped before it)",
            )
        return Divergence(
            step["element_id"],
            f"流程没有走到记录中的“{step['name']}”",
            f"the process did not reach {step['name_en']}, as recorded",
        )
    if actual and plain(actual[-1]["data"]) != plain(end_data):
        return Divergence(
            actual[-1]["element_id"],
            "结束时的数据与记录不同",
            "the data at the end differs from the recording",
        )
    return None


def _step_difference(got: dict[str, Any], want: dict[str, Any]) -> Divergence | None:
    element, name, name_en = got["element_id"], want["name"], want["name_en"]
    went_to = [t["element_id"] for t in got["detail"].get("taken", [])]
    if got["kind"] == "gateway" and went_to != [t["element_id"] for t in want["detail"].get("taken", [])]:
        went = "、".join(t["name"] for t in got["detail"].get("taken", [])) or "—"
        was = "、".join(t["name"] for t in want["detail"].get("taken", [])) or "—"
        return Divergence(
            element,
            f"网关“{name}”现在走向“{went}”，记录中走向“{was}”",
            f"gateway {name_en} now goes to {went}, recorded: {was}",
        )
    now, then = got["detail"].get("result"), want["detail"].get("result")
    if got["kind"] == "decision" and now != then:
        return Divergence(
            element,
            f"决策“{name}”的结果现在是 {now}，记录中是 {then}",
            f"decision {name_en} now gives {now}, recorded: {then}",
        )
    if plain(got["data"]) != plain(want["data"]):
        keys = sorted(
            key
            for key in {*got["data"], *want["data"]}
            if plain(got["data"].get(key)) != plain(want["data"].get(key))
        )
        shown = ", ".join(keys[:8])
        return Divergence(
            element,
            f"“{name}”之后的数据与记录不同：{shown}",
            f"the data after {name_en} differs from the recording: {shown}",
        )
    return None


def _of_process(session: Session, process_id: str) -> list[DraftScenarioModel]:
    return list(
        session.scalars(
            select(DraftScenarioModel)
            .where(DraftScenarioModel.process_id == process_id)
            .order_by(DraftScenarioModel.id)
        )
    )


def _start_event(specs: ProcessSpecs, process_id: str) -> str | None:
    """The process's start event, where a replay that cannot start diverges."""
    top, _ = specs.spec_for(process_id)
    found = [s.bpmn_id for s in top.task_specs.values() if isinstance(s, StartEvent) and s.bpmn_id]
    return found[0] if found else None
