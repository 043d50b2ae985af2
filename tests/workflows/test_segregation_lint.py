"""The deploy lint of segregation of duties: a process about an officer (one of its user tasks names the
officer with ``notSubject``) has ``notSubject`` on every user task, or an explicit opt-out (``-``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="test_definitions" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)
FORM = '{"type": "object", "properties": {"note": {"type": "string", "title": "备注"}}}'


def user_task(task_id: str, incoming: str, outgoing: str, not_subject: str | None) -> str:
    extra = ""
    if not_subject is not None:
        extra = f'<spiffworkflow:property name="notSubject" value="{not_subject}" />'
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id}"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formJsonSchemaFilename" value="note.json" />'
        f"{extra}</spiffworkflow:properties></bpmn:extensionElements>"
        f"<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>\n"
    )


def two_tasks(first: str | None, second: str | None) -> dict[str, str]:
    """start -> score -> follow_up -> end in one lane, with the given ``notSubject`` values."""
    bpmn = (
        HEAD
        + '<bpmn:process id="probe" isExecutable="true">\n'
        + '<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="police_bureau">'
        + "".join(
            f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in ("start", "score", "follow_up", "end")
        )
        + "</bpmn:lane></bpmn:laneSet>\n"
        + '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
        + user_task("score", "f1", "f2", first)
        + user_task("follow_up", "f2", "f3", second)
        + '<bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n'
        + '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />\n'
        + '<bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="follow_up" />\n'
        + '<bpmn:sequenceFlow id="f3" sourceRef="follow_up" targetRef="end" />\n'
        + "</bpmn:process>\n</bpmn:definitions>\n"
    )
    return {"probe.bpmn": bpmn, "note.json": FORM}


def test_a_task_without_not_subject_in_a_process_about_an_officer_is_refused() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(two_tasks("officer_id", None))
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith("probe/follow_up:") and "notSubject" in problem and "officer_id" in problem


def test_the_explicit_opt_out_is_accepted_and_leaves_the_task_open_to_the_officer() -> None:
    specs = parse_bundle(two_tasks("officer_id", "-"))
    follow_up = specs.user_task("probe", "follow_up")
    assert follow_up is not None and follow_up.not_subject is None and follow_up.not_subject_waived
    score = specs.user_task("probe", "score")
    assert score is not None and score.not_subject == "officer_id" and not score.not_subject_waived


def test_a_process_about_nobody_needs_no_not_subject() -> None:
    specs = parse_bundle(two_tasks(None, None))
    assert specs.user_task("probe", "score") is not None


def test_every_user_task_of_the_appraisal_names_its_officer() -> None:
    bundle = attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")
    specs = parse_bundle(bundle)
    top, subs = specs.spec_for("appraisal")
    names = [
        name
        for wf_spec in (top, *subs.values())
        for name, spec in wf_spec.task_specs.items()
        if type(spec).__name__ == "UserTask"
    ]
    assert {"station_score", "reward_proposal", "dismissal_review", "station_escalation"} <= set(names)
    for name in names:
        info = specs.user_task("appraisal", name)
        assert info is not None and info.not_subject == "officer_id", name
