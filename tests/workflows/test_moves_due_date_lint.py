"""Deploy refuses a ``movesDueDate`` that names no user task with a due date, or no date field of the
follow-up's own form; the bundled appraisal declares a valid one on both escalations."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
DECLARED = '<spiffworkflow:property name="movesDueDate" value="station_score: new_due_date" />'


def appraisal_with(declared: str) -> dict[str, str]:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")
    assert DECLARED in files["appraisal.bpmn"]
    files["appraisal.bpmn"] = files["appraisal.bpmn"].replace(DECLARED, declared)
    return files


def test_the_bundled_escalations_move_their_scoring_tasks() -> None:
    specs = parse_bundle(appraisal_with(DECLARED))
    assert specs.user_task("appraisal", "station_escalation").moves_due_date == (
        "station_score",
        "new_due_date",
    )
    assert specs.user_task("appraisal", "town_escalation").moves_due_date == ("town_score", "new_due_date")


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("veto_decision: new_due_date", "'veto_decision', not a user task with a due date"),
        ("no_such_task: new_due_date", "'no_such_task', not a user task with a due date"),
        ("station_score: action_taken", "'action_taken', not a date field of its form"),
    ],
)
def test_a_wrong_declaration_is_refused(value: str, names: str) -> None:
    declared = f'<spiffworkflow:property name="movesDueDate" value="{value}" />'
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(appraisal_with(declared))
    assert [p for p in caught.value.english if "movesDueDate" in p] == [
        f"appraisal/station_escalation: movesDueDate names {names}"
    ]
