"""``bulkComplete`` (issue 15, point 1): the bundled scoring tasks declare it and their forms become columns;
deploy refuses it on anything but a user task whose form can be a table, or with a value not true/false."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.form_columns import form_columns, is_blank
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
DECLARED = '<spiffworkflow:property name="bulkComplete" value="true" />'
VETO_FORM = '<spiffworkflow:property name="formJsonSchemaFilename" value="veto.json" />'


def appraisal(edit: tuple[str, str] | None = None) -> dict[str, str]:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")
    assert files["appraisal.bpmn"].count(DECLARED) == 2
    if edit is not None:
        assert edit[0] in files["appraisal.bpmn"]
        files["appraisal.bpmn"] = files["appraisal.bpmn"].replace(edit[0], edit[1], 1)
    return files


def test_the_scoring_tasks_are_completed_in_a_table() -> None:
    specs = parse_bundle(appraisal())
    assert specs.user_task("appraisal", "station_score").bulk_complete
    assert specs.user_task("appraisal", "town_score").bulk_complete
    assert not specs.user_task("appraisal", "veto_decision").bulk_complete
    columns = form_columns(specs.forms["town_score.json"])
    assert [c.name for c in columns][:2] == ["town_items.committee_meetings", "town_items.grid_coordination"]
    first = columns[0]
    assert (first.title_zh, first.group_zh, first.kind, first.maximum, first.required) == (
        "列席两委会议",
        "考核评分项",
        "integer",
        15,
        True,
    )
    opinion = next(c for c in columns if c.name == "village_committee_opinion")
    assert opinion.kind == "select" and opinion.options[0] == ("satisfied", "满意", "Satisfied")
    comment = next(c for c in columns if c.name == "comment")
    assert comment.kind == "text" and not comment.required and comment.group_zh == ""


def test_a_row_left_empty_is_blank() -> None:
    assert is_blank({"town_items": {"a": None, "b": ""}, "comment": "  "})
    assert not is_blank({"town_items": {"a": 0}})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (DECLARED, '<spiffworkflow:property name="bulkComplete" value="yes" />'),
            "appraisal/station_score: bulkComplete must be 'true' or 'false', not 'yes'",
        ),
        (
            (VETO_FORM, VETO_FORM + DECLARED),
            None,  # the veto form: yes/no and a reason, columns too: accepted
        ),
        (
            (
                '<spiffworkflow:property name="nameEn" value="Compute scores" />',
                '<spiffworkflow:property name="nameEn" value="Compute scores" />' + DECLARED,
            ),
            "bulkComplete is for a user task only",
        ),
    ],
)
def test_a_wrong_declaration_is_refused(edit: tuple[str, str], message: str | None) -> None:
    if message is None:
        assert parse_bundle(appraisal(edit)).user_task("appraisal", "veto_decision").bulk_complete
        return
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(appraisal(edit))
    assert [p for p in caught.value.english if "bulkComplete" in p][0].endswith(message)


def test_a_form_that_is_not_a_table_is_refused() -> None:
    files = appraisal()
    files["station_score.json"] = files["station_score.json"].replace(
        '"comment": {',
        '"attachments": {"type": "array", "title": "附件", "items": {"type": "string"}}, "comment": {',
    )
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files)
    found = [p for p in caught.value.english if "bulkComplete" in p]
    assert found == [
        "appraisal/station_score: bulkComplete: form station_score.json cannot be filled in as a table"
        " (attachments: a field of type array cannot be a column)"
    ]
