"""State handling that provably changes nothing.

Every model runs twice with the same seeded choices: once on bare SpiffWorkflow in memory, once through
the service's facade with compaction, dump, JSON text and load after every action
(tests/workflows/differential/harness.py). After every action both must offer the same ready tasks with
the same data, hold the same live tasks, timers and messages, report the same instance data, fail alike
and end alike. The models: every bundled process (each scenario of test_bundled_models, several seeds),
SpiffWorkflow's own test models (vendored with their licence under differential/spiff_models/) and
randomly generated well-formed ones (differential/generator.py), whose runs must also end and keep every
split and merge in step (checked on the bare side's full history).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

from tests.workflows.differential.generator import FEATURES, GeneratedModel, generate
from tests.workflows.differential.harness import Model, Outcome, ready_tasks, run
from tests.workflows.differential.models import (
    BUNDLED_SEEDS,
    SPIFF_MODELS,
    SpiffModel,
    bundled,
    generated,
    spiff,
    well_formed_end,
)
from tests.workflows.differential.tally import TALLY
from tests.workflows.test_semantics import loop_around
from workflows.engine import WorkflowEngine
from workflows.scripting import RestrictedScriptEngine

# Hundreds of generated models in CI (about 0.07 s each); raise it to search further.
GENERATED_SEEDS = int(os.environ.get("AUXPOLICE_DIFFERENTIAL_SEEDS", "300"))

BUNDLED = list(bundled())


def _check(group: str, outcome: Outcome) -> None:
    TALLY.record(group, outcome)
    assert outcome.divergence is None, f"{outcome.model} seed {outcome.seed}: {outcome.divergence}"
    assert outcome.problem is None, f"{outcome.model} seed {outcome.seed}: {outcome.problem}"


@pytest.mark.parametrize("model", BUNDLED, ids=[model.name for model in BUNDLED])
def test_bundled_models_run_the_same_with_and_without_state_handling(model: Model) -> None:
    for seed in range(BUNDLED_SEEDS):
        _check("bundled", run(model, seed))


@pytest.mark.parametrize("model", SPIFF_MODELS, ids=lambda model: f"{model.paths[0]}:{model.process_id}")
def test_spiffworkflows_own_models_run_the_same_with_and_without_state_handling(model: SpiffModel) -> None:
    runnable = spiff(model)
    for seed in range(BUNDLED_SEEDS):
        outcome = run(runnable, seed)
        _check("SpiffWorkflow", outcome)
        if model.expect is not None:
            assert outcome.end == model.expect, f"{outcome.model} seed {seed}: {outcome.actions}"


@pytest.mark.parametrize("seed", range(GENERATED_SEEDS))
def test_generated_models_run_the_same_with_and_without_state_handling(seed: int) -> None:
    model, features = generated(seed)
    _check("generated", run(model, seed))
    if "message_event_subprocess" in features:
        # Once more on the service's parse of the first run: a triggered event subprocess must not have
        # changed it (bare SpiffWorkflow's did, and every later instance started it at once).
        _check("generated", run(model, seed + 1))


def test_the_generator_is_reproducible_and_covers_every_construct_it_names() -> None:
    assert generate(7).files == generate(7).files
    covered = set().union(*(generate(seed).features for seed in range(GENERATED_SEEDS)))
    assert covered == set(FEATURES)


def test_the_harness_sees_a_save_that_changes_the_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    dump = WorkflowEngine.dump

    def lossy(workflow: Any) -> dict[str, Any]:
        state = dump(workflow)
        state["data"]["note"] = "added by the save"
        return state

    monkeypatch.setattr(WorkflowEngine, "dump", staticmethod(lossy))
    outcome = run(next(model for model in BUNDLED if "appraisal/appraisal" in model.name), 0)
    assert outcome.divergence is not None and "note" in outcome.divergence


def test_the_end_check_sees_a_join_that_fired_early() -> None:
    # Bare SpiffWorkflow's own parallel join inside a loop (without workflows.semantics) fires on the
    # second pass before the branch completed first on the first pass arrives again.
    files = {"loop.bpmn": loop_around("parallelGateway")}
    model = GeneratedModel(0, files, "main", set(), [("split", "join")])
    parser = BpmnParser()
    parser.add_bpmn_str(model.files["loop.bpmn"].encode())
    workflow = BpmnWorkflow(parser.get_spec("main"), script_engine=RestrictedScriptEngine())
    workflow.do_engine_steps()
    for name in ("A", "B", "B", "A", "A", "A", "B", "B"):
        ready = [task for task in ready_tasks(workflow) if task.task_spec.name == name]
        if ready:
            ready[0].run()
            workflow.do_engine_steps()
    assert workflow.completed
    assert well_formed_end(model)(workflow, "completed") is not None
