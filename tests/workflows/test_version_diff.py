"""workflows/version_diff.py without the service (issue 14, point 4): what two bundles of the shipped models
differ in, element by element, rule by rule, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api import publish_steps
from workflows.specs import attach_forms, read_bundle
from workflows.version_diff import diff_bundles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def appraisal() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms")


def test_the_same_bundle_has_no_difference(appraisal: dict[str, str]) -> None:
    assert diff_bundles(appraisal, dict(appraisal)).empty


def test_an_added_task_changes_its_neighbours_and_their_flows(appraisal: dict[str, str]) -> None:
    after = {**appraisal, "appraisal.bpmn": publish_steps.with_review_task(appraisal["appraisal.bpmn"])}
    found = {(e.element.element_id, e.status): e for e in diff_bundles(appraisal, after).elements}
    assert set(found) == {
        ("reward_review", "added"),
        ("flow_reward_review_to_merge", "added"),
        ("flow_reward_proposal_to_merge", "changed"),
        ("reward_proposal", "changed"),
        ("reward_merge", "changed"),
    }
    review = found[("reward_review", "added")].element
    assert review.kind == "userTask" and review.name == "奖励复核" and review.name_en == "Reward review"
    assert review.attributes["lane"] == "police_bureau"
    assert review.attributes["property:formJsonSchemaFilename"] == "reward_proposal.json"
    flow = found[("flow_reward_proposal_to_merge", "changed")]
    assert [(c.attribute, c.before, c.after) for c in flow.changes] == [
        ("target", "reward_merge", "reward_review")
    ]
    merge = found[("reward_merge", "changed")]
    assert [(c.attribute, c.before, c.after) for c in merge.changes] == [
        ("incoming", "reward_needed, reward_proposal", "reward_needed, reward_review")
    ]


def test_attributes_of_an_element_are_compared_one_by_one(appraisal: dict[str, str]) -> None:
    model = appraisal["appraisal.bpmn"]
    edited = (
        model.replace('name="镇政府月度考核"', 'name="镇政府月度评分"')
        .replace('<spiffworkflow:property name="headOnly" value="true" />', "", 1)
        .replace('"reward_proposal" in action', '"reward_proposal" in action and reward_allowed')
    )
    assert edited.count("headOnly") == model.count("headOnly") - 1
    after = {**appraisal, "appraisal.bpmn": edited}
    changes = {
        e.element.element_id: [(c.attribute, c.before, c.after) for c in e.changes]
        for e in diff_bundles(appraisal, after).elements
    }
    assert changes["town_score"] == [("name", "镇政府月度考核", "镇政府月度评分")]
    assert changes["station_escalation"] == [("property:headOnly", "true", None)]
    assert changes["flow_reward_proposal_needed"] == [
        ("condition", '"reward_proposal" in action', '"reward_proposal" in action and reward_allowed')
    ]


def test_decision_rows_are_compared_by_rule(appraisal: dict[str, str]) -> None:
    table = appraisal["appraisal_grade.dmn"]
    start = table.index('<rule id="rule_no_veto_competent">')
    end = table.index("</rule>", start) + len("</rule>")
    removed = table[:start] + table[end:]
    after = {**appraisal, "appraisal_grade.dmn": publish_steps.with_stricter_excellent(removed)}
    (decision,) = diff_bundles(appraisal, after).decisions
    rules = {r.rule_id: r for r in decision.rules}
    assert rules["rule_no_veto_competent"].status == "removed"
    assert ("out:建议考核等次", '"competent"', None) in [
        (e.attribute, e.before, e.after) for e in rules["rule_no_veto_competent"].entries
    ]
    excellent = rules["rule_no_veto_excellent"]
    assert [(c.attribute, c.before, c.after) for c in excellent.changes] == [
        ("in:综合得分（派出所40%、镇政府60%）", ">= 90", ">= 92")
    ]
    assert len(rules) == 2


def test_form_fields_and_data_labels_are_compared_by_path_and_key(appraisal: dict[str, str]) -> None:
    form = json.loads(appraisal["town_score.json"])
    form["properties"]["remark"] = {"title": "备注", "x-title-en": "Remark", "type": "string"}
    del form["properties"]["village_committee_opinion"]
    form["required"].remove("village_committee_opinion")
    labels = json.loads(appraisal["data_labels.json"])
    labels["labels"]["officer_name"]["x-title-en"] = "Officer's name"
    after = {
        **appraisal,
        "town_score.json": json.dumps(form, ensure_ascii=False),
        "data_labels.json": json.dumps(labels, ensure_ascii=False),
    }
    found = diff_bundles(appraisal, after)
    fields = {(f.path, f.status): f for f in found.fields}
    assert set(fields) == {("village_committee_opinion", "removed"), ("remark", "added")}
    assert fields[("remark", "added")].title_en == "Remark"
    assert ("required", None, "false") in [
        (c.attribute, c.before, c.after) for c in fields[("remark", "added")].changes
    ]
    (label,) = found.labels
    assert label.path == "officer_name" and label.status == "changed"
    assert [(c.attribute, c.after) for c in label.changes] == [("x-title-en", "Officer's name")]
    assert {f.name for f in found.files} == {"town_score.json", "data_labels.json"}
