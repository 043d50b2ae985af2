"""Edits a designer makes to the appraisal bundle in the publish and compare tests (API and browser): a new
user task after the reward proposal, a form field retitled, a decision row changed."""

from __future__ import annotations

import json

# A review by the sub-bureau after the reward proposal: reward_proposal -> reward_review -> reward_merge.
NEW_TASK = """    <bpmn:userTask id="reward_review" name="奖励复核">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="reward_proposal.json" />
          <spiffworkflow:property name="nameEn" value="Reward review" />
          <spiffworkflow:property name="notSubject" value="officer_id" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_reward_proposal_to_merge</bpmn:incoming>
      <bpmn:outgoing>flow_reward_review_to_merge</bpmn:outgoing>
    </bpmn:userTask>
"""
NEW_SHAPES = """      <bpmndi:BPMNShape id="reward_review_di" bpmnElement="reward_review">
        <dc:Bounds x="2440" y="880" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_reward_review_to_merge_di" bpmnElement="flow_reward_review_to_merge">
        <di:waypoint x="2540" y="920" />
        <di:waypoint x="2615" y="920" />
        <di:waypoint x="2615" y="725" />
      </bpmndi:BPMNEdge>
"""


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old  # the shipped model changed: adapt the edit
    return text.replace(old, new, 1)


def with_review_task(model: str) -> str:
    """The appraisal model with the new user task ``reward_review`` (奖励复核) in the bureau's lane."""
    model = _replace(
        model,
        "<bpmn:flowNodeRef>reward_proposal</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>reward_proposal</bpmn:flowNodeRef>\n        "
        "<bpmn:flowNodeRef>reward_review</bpmn:flowNodeRef>",
    )
    model = _replace(
        model,
        '    <bpmn:exclusiveGateway id="reward_merge">',
        NEW_TASK + '    <bpmn:exclusiveGateway id="reward_merge">',
    )
    merge_in = "<bpmn:incoming>{}</bpmn:incoming>\n      <bpmn:outgoing>flow_reward_merge_to_end"
    model = _replace(
        model,
        merge_in.format("flow_reward_proposal_to_merge"),
        merge_in.format("flow_reward_review_to_merge"),
    )
    flow = '<bpmn:sequenceFlow id="{}" sourceRef="{}" targetRef="{}" />'
    model = _replace(
        model,
        flow.format("flow_reward_proposal_to_merge", "reward_proposal", "reward_merge"),
        flow.format("flow_reward_proposal_to_merge", "reward_proposal", "reward_review")
        + "\n    "
        + flow.format("flow_reward_review_to_merge", "reward_review", "reward_merge"),
    )
    model = _replace(
        model,
        """        <di:waypoint x="2540" y="810" />
        <di:waypoint x="2615" y="810" />
        <di:waypoint x="2615" y="725" />""",
        """        <di:waypoint x="2490" y="850" />
        <di:waypoint x="2490" y="880" />""",
    )
    return _replace(model, "    </bpmndi:BPMNPlane>", NEW_SHAPES + "    </bpmndi:BPMNPlane>")


def with_renamed_task(model: str) -> str:
    """The appraisal model with the town government's scoring task renamed (a changed element)."""
    return _replace(model, 'name="镇政府月度考核"', 'name="镇政府月度评分"')


def with_retitled_field(form: str) -> str:
    """The town government's form with the publicity item retitled and the opinion no longer required."""
    schema = json.loads(form)
    schema["properties"]["town_items"]["properties"]["publicity"]["title"] = "宣传工作"
    schema["required"].remove("village_committee_opinion")
    return json.dumps(schema, ensure_ascii=False, indent=2)


def with_stricter_excellent(table: str) -> str:
    """The grade table with "excellent" from 92 points instead of 90."""
    return _replace(table, "<text>&gt;= 90</text>", "<text>&gt;= 92</text>")
