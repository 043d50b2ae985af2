"""The models the differential harness runs: the bundled ones, SpiffWorkflow's own and generated ones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from tests.workflows.differential.generator import PICKS, START_DATA, generate, well_formed_end
from tests.workflows.differential.harness import Answer, Model
from tests.workflows.test_bundled_models import (
    SCENARIOS,
    SUBMISSIONS,
    CannedOperators,
    Scenario,
    _nth,
    bundle_folders,
    load_specs,
)
from workflows.specs import user_task_info

# Seeds per bundled scenario: each chooses another order among parallel tasks and timers.
BUNDLED_SEEDS = 4


def generated(seed: int) -> Model:
    model = generate(seed)

    def answers() -> Answer:
        def answer(task: Any, rng: random.Random) -> dict[str, Any]:
            return {"pick": rng.randrange(PICKS)} if task is not None else {}

        return answer

    return Model(
        name=f"generated/{seed}",
        files=model.files,
        process_id=model.process_id,
        start_data=START_DATA,
        answers=answers,
        check_end=well_formed_end(model),
    )


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
