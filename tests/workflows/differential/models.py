"""The models the differential harness runs: the bundled ones, SpiffWorkflow's own and generated ones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SpiffWorkflow.util.task import TaskState

from tests.workflows.differential.generator import PICKS, START_DATA, GeneratedModel, generate
from tests.workflows.differential.harness import Answer, Model, all_tasks
from tests.workflows.test_bundled_models import (
    SCENARIOS,
    SUBMISSIONS,
    CannedOperators,
    Scenario,
    _nth,
    bundle_folders,
    load_specs,
)
from workflows.extensions import user_task_info

# Seeds per bundled scenario: each chooses another order among parallel tasks and timers.
BUNDLED_SEEDS = 4


def generated(seed: int) -> tuple[Model, set[str]]:
    """The generated model of ``seed``, and the features it has (generator.FEATURES)."""
    model = generate(seed)

    def answers() -> Answer:
        def answer(task: Any, rng: random.Random) -> dict[str, Any]:
            return {"pick": rng.randrange(PICKS)} if task is not None else {}

        return answer

    runnable = Model(
        name=f"generated/{seed}",
        files=model.files,
        process_id=model.process_id,
        start_data=START_DATA,
        answers=answers,
        check_end=well_formed_end(model),
    )
    return runnable, model.features


def well_formed_end(model: GeneratedModel) -> Any:
    """What a generated model's run must show on the bare side's full history, whatever the choices.

    A generated model cannot deadlock, so it ends (or the harness stops it), and every activation of one
    of its main process's splits is followed by exactly one activation of the matching merge: a join that
    fires early (the library's joins in loops did) or never shows up here, also when both sides agree.
    """

    def check(workflow: Any, end: str) -> str | None:
        if end not in ("completed", "cut"):
            return f"a well-formed model ended {end}"
        if end != "completed":
            return None
        done: dict[str, int] = {}
        for task in all_tasks(workflow):
            if task.state == TaskState.COMPLETED:
                done[task.task_spec.name] = done.get(task.task_spec.name, 0) + 1
        wrong = [
            f"{fork} ran {done.get(fork, 0)} times, {join} {done.get(join, 0)}"
            for fork, join in model.pairs
            if done.get(fork, 0) != done.get(join, 0)
        ]
        return "; ".join(wrong) or None

    return check


def bundled() -> Iterator[Model]:
    """Every process of every bundle under bpmn/, once per scenario of tests/workflows/test_bundled_models."""
    for folder in bundle_folders():
        specs = load_specs(folder)
        files = {name: text for name, text in specs.files.items() if name.endswith((".bpmn", ".dmn"))}
        for process_id in specs.process_ids:
            for scenario in SCENARIOS.get(process_id, [Scenario(name="default")]):
                yield Model(
                    name=f"bundled/{folder}/{process_id}/{scenario.name}",
                    files=files,
                    process_id=process_id,
                    start_data=dict(scenario.start_data),
                    handler=_operators(scenario),
                    answers=_form_answers(scenario),
                )


def _operators(scenario: Scenario) -> Any:
    return lambda: CannedOperators(scenario.operator_results)


def _form_answers(scenario: Scenario) -> Any:
    submissions = {**SUBMISSIONS, **scenario.submissions}

    def answers() -> Answer:
        submitted: dict[str, int] = {}

        def answer(task: Any, rng: random.Random) -> dict[str, Any]:
            if task is None:
                return {}
            form = user_task_info(task.task_spec).form or ""
            return dict(_nth(submissions[form], submitted, form)) if form in submissions else {}

        return answer

    return answers


SPIFF_DIR = Path(__file__).resolve().parent / "spiff_models"
YES_NO = {"*": {"choice": ["Yes", "No"]}}


@dataclass(frozen=True)
class SpiffModel:
    """One of SpiffWorkflow's own test models (paths under its tests/SpiffWorkflow/), vendored in
    spiff_models/, with the answers its own tests give (a list: one is chosen per task by the seed)."""

    paths: tuple[str, ...]
    process_id: str
    start_data: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # How every seed must end, when the model allows one end only; "waiting": stuck, by BPMN's rules.
    expect: str | None = "completed"


_T = "bpmn/data/Test-Workflows/"
SPIFF_MODELS = [
    # A parallel gateway merging a loop back: by BPMN it waits for the loop's flow on its first pass, for
    # ever (the library let the first pass through; after compaction it stalled on the second).
    SpiffModel(("bpmn/data/gateway_loop_input.bpmn",), "main", expect="waiting"),
    SpiffModel(("bpmn/data/ParallelOrder.bpmn",), "ParallelOrder"),
    SpiffModel(("bpmn/data/Approvals.bpmn",), "Approvals"),
    SpiffModel(
        (_T + "Parallel-Multiple-Splits-And-Joins.bpmn20.xml",), "sid-a90fa1f1-32a9-4a62-8ad4-8820a3fc6cc4"
    ),
    SpiffModel(
        (_T + "Parallel-Many-Threads-At-Same-Point.bpmn20.xml",), "sid-6d1186e0-fc1f-43d5-bdb4-c49df043944d"
    ),
    SpiffModel((_T + "Parallel.camunda.bpmn20.xml",), "Process_1hb021r"),
    SpiffModel(
        (_T + "Parallel-Join-Long-Inclusive.bpmn20.xml",),
        "sid-bae04828-c969-4480-8cfe-09ad1f97d81c",
        answers=YES_NO,
    ),
    SpiffModel(
        (_T + "Parallel-One-Path-Ends.bpmn20.xml",),
        "sid-33b2dda8-ca46-47ca-9f08-43de73abde9e",
        answers=YES_NO,
    ),
    SpiffModel(
        (_T + "Parallel-Then-Exclusive.bpmn20.xml",),
        "sid-bb9ea2d5-58b6-43c7-8e77-6e28f71106f0",
        answers=YES_NO,
    ),
    SpiffModel(
        (_T + "Parallel-Then-Exclusive-No-Inclusive.bpmn20.xml",),
        "sid-900d26c9-beab-47a4-8092-4284bfb39927",
        answers=YES_NO,
    ),
    SpiffModel(
        (_T + "Parallel-Through-Same-Task.bpmn20.xml",),
        "sid-57c563e3-fb68-4961-ae34-b6201e0c09e8",
        answers=YES_NO,
    ),
    SpiffModel((_T + "Multi-Instance.bpmn20.xml",), "Process_0xa1l01"),
    SpiffModel((_T + "Message-Interrupts.bpmn20.xml",), "sid-db1e1749-03ee-46aa-8674-bba07b1bd167"),
    SpiffModel((_T + "Message-Interrupts-SP.bpmn20.xml",), "sid-607dfa9b-dbfd-41e8-94f8-42ae37f3b824"),
    SpiffModel((_T + "Message-Non-Interrupt.bpmn20.xml",), "sid-60e2cc58-68c9-4cb5-a95c-22e3e311b6b9"),
    SpiffModel((_T + "Message-Non-Interrupt-SP.bpmn20.xml",), "sid-b6b1212d-76ea-4ced-888b-a99fbbbca575"),
    SpiffModel((_T + "Messages.bpmn20.xml",), "sid-4a1f10ab-316f-4cd8-836d-65aa3d178fff"),
    SpiffModel(
        (
            _T + "Nested-Subprocesses.bpmn20.xml",
            _T + "Nested-Sub-level1.bpmn20.xml",
            _T + "Nested-Sub-level2.bpmn20.xml",
        ),
        "sid-a12cf1e5-86f4-4d69-9790-6a90342f5963",
    ),
    SpiffModel(
        ("bpmn/data/event-subprocess.bpmn",),
        "main",
        answers={"set_data": {"v1": [True, False], "v2": [True, False]}},
    ),
    SpiffModel(
        ("bpmn/data/boundary.bpmn",), "boundary_event", answers={"*": {"answer": ["Yes", "No"]}}, expect=None
    ),
    SpiffModel(("bpmn/data/boundary_event_split.bpmn",), "Process_0ymnx41"),
    SpiffModel(("bpmn/data/boundary_timer_on_task.bpmn",), "test_timer"),
    # Its parallel gateway also waits for the non-interrupting timer's path: stuck unless the timer fired.
    SpiffModel(
        ("bpmn/data/timer-non-interrupt-boundary.bpmn",),
        "NonInterruptTimer",
        answers={
            "GetReason": {"delay_reason": ["Just Because"]},
            "Activity_Work": {"work_done": ["Yes", "No"]},
        },
        expect=None,
    ),
    SpiffModel(("bpmn/data/timer.bpmn",), "timer"),
    SpiffModel(("bpmn/data/inclusive_gateway.bpmn",), "main", {"v": -1, "u": -1, "w": -1}),
    SpiffModel(
        ("bpmn/data/standard_loop.bpmn",), "main", {"done": False}, {"*": {"done": [False, False, True]}}
    ),
    SpiffModel(
        ("bpmn/data/data_object.bpmn",), "Process", answers={"*": {"obj_1": ["hello", "hello again"]}}
    ),
    SpiffModel(
        ("bpmn/data/io_spec_on_task.bpmn",), "main", answers={"any_task": {"out_1": [1], "out_2": ["bye"]}}
    ),
    SpiffModel(("bpmn/data/multiple-start.bpmn",), "main"),
    SpiffModel(("bpmn/data/multiple-start-parallel.bpmn",), "main"),
    SpiffModel(("bpmn/data/start_event_split.bpmn",), "main"),
    SpiffModel(
        ("bpmn/data/conditional_event.bpmn",),
        "intermediate",
        {"task_a_done": False, "task_c_done": False},
        {"*": {"task_a_done": [True], "task_c_done": [True]}},
    ),
    SpiffModel(
        ("bpmn/data/conditional_event.bpmn",),
        "boundary",
        {"task_a_done": False, "task_c_done": False},
        {"*": {"task_a_done": [True], "task_c_done": [True]}},
    ),
    SpiffModel(
        ("bpmn/data/return_to_event.bpmn",),
        "return_to_event",
        {"repeat": True},
        {"*": {"repeat": [True, False]}},
    ),
    SpiffModel(("bpmn/data/reset_with_boundary_event.bpmn",), "token"),
    SpiffModel(
        ("spiff/data/error_event_payload.bpmn",),
        "event_test",
        answers={"set_data": {"error": [True, False], "payload": ["ERROR!"]}},
    ),
    SpiffModel(
        ("spiff/data/escalation_event_payload.bpmn",),
        "event_test",
        answers={"set_data": {"escalation": [True, False], "payload": ["ERROR!"]}},
    ),
    SpiffModel(
        ("spiff/data/signal_event_payload.bpmn",),
        "event_test",
        answers={"set_data": {"v1": [1], "v2": [2], "v3": [3]}},
    ),
    SpiffModel(
        ("spiff/data/spiff_multiinstance.bpmn",),
        "Process_1",
        {"input_data": [1, 2, 3]},
        {"*": {"output_item": lambda task: task.data.get("input_item", 0) * 2}},
    ),
    SpiffModel(
        ("spiff/data/business_rule_task.bpmn", "spiff/data/dmn/business_rules.dmn"), "Process_bd2e724"
    ),
    SpiffModel(("spiff/data/user_task_variable.bpmn",), "one"),
    SpiffModel(("spiff/data/prescript_postscript.bpmn",), "Process_1", {"a": 1, "b": 2}),
]


def spiff(model: SpiffModel) -> Model:
    files = {Path(path).name: (SPIFF_DIR / path).read_text(encoding="utf-8") for path in model.paths}
    hints = model.answers

    def answers() -> Answer:
        def answer(task: Any, rng: random.Random) -> dict[str, Any]:
            if task is None:
                return {}
            spec = task.task_spec
            given = hints.get(spec.name) or hints.get(spec.bpmn_name or "") or hints.get("*") or {}
            return {
                key: value(task) if callable(value) else rng.choice(value) for key, value in given.items()
            }

        return answer

    return Model(
        name=f"spiff/{Path(model.paths[0]).name}:{model.process_id}",
        files=files,
        process_id=model.process_id,
        start_data=dict(model.start_data),
        answers=answers,
    )
