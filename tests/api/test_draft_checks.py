"""A draft's check over HTTP (issue 14, point 2): our lints and bpmnlint's recommended rules, each problem on
its element (process and element id), in Chinese and English, with its severity; errors block publishing
(``ok`` false), warnings do not."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from service.usecases.workbench import bpmnlint
from tests.conftest import User

CJK = re.compile(r"[\u4e00-\u9fff]")
NAMED = '<bpmn:userTask id="veto_decision" name="一票否决决定">'
GATEWAY = (
    '<bpmn:exclusiveGateway id="dismissal_needed" name="需要清退审查？" default="flow_no_dismissal_review">'
)
CONDITION = '"dismissal_review" in action</bpmn:conditionExpression>'


def appraisal_draft(designer: User) -> tuple[str, str]:
    version = next(d for d in designer.get("/api/v1/definitions") if d["process_id"] == "appraisal")
    draft = designer.post("/api/v1/drafts", json={"definition_id": version["id"]}, expect=201)
    url = f"/api/v1/drafts/{draft['id']}"
    return url, designer.get(f"{url}/files/appraisal.bpmn")["text"]


def check(designer: User, url: str, model: str) -> dict[str, Any]:
    saved = designer.client.put(
        f"{url}/files/appraisal.bpmn", json={"text": model}, headers=designer._headers()
    )
    assert saved.status_code == 200, saved.get_json()
    checked = designer.post(f"{url}/check")
    for problem in checked["problems"]:
        assert CJK.search(problem["zh"]) and problem["en"] and problem["zh"] != problem["en"], problem
        assert problem["severity"] in ("error", "warning"), problem
    return checked


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="bpmnlint runs on node")


@needs_node
def test_a_check_lists_our_lints_and_bpmnlint_on_their_elements(users: dict[str, User]) -> None:
    designer = users["designer"]
    url, model = appraisal_draft(designer)
    assert designer.post(f"{url}/check") == {"ok": True, "problems": []}  # the bundled model checks clean

    assert NAMED in model and CONDITION in model
    planted = model.replace(NAMED, '<bpmn:userTask id="veto_decision">').replace(
        CONDITION, '"dismissal_review" in actoin</bpmn:conditionExpression>'
    )
    checked = check(designer, url, planted)
    assert checked["ok"] is False
    by_rule = {(p["rule"], p["element_id"]): p for p in checked["problems"]}
    assert set(by_rule) == {("bpmnlint:label-required", "veto_decision"), ("data", "dismissal_needed")}

    label = by_rule["bpmnlint:label-required", "veto_decision"]
    assert label["zh"] == "缺少名称" and label["en"] == "Element is missing label/name"
    assert label["severity"] == "error" and label["process_id"] == "appraisal"
    assert label["file"] == "appraisal.bpmn"

    data = by_rule["data", "dismissal_needed"]
    assert data["process_id"] == "appraisal" and data["severity"] == "error"
    assert "actoin" in data["zh"] and "没有任何表单" in data["zh"] and "'actoin'" in data["en"]


@needs_node
def test_a_bpmnlint_warning_does_not_block_publishing(users: dict[str, User]) -> None:
    designer = users["designer"]
    url, model = appraisal_draft(designer)
    inclusive = model.replace(GATEWAY, GATEWAY.replace("exclusiveGateway", "inclusiveGateway")).replace(
        '</bpmn:exclusiveGateway>\n    <bpmn:userTask id="dismissal_review"',
        '</bpmn:inclusiveGateway>\n    <bpmn:userTask id="dismissal_review"',
    )
    assert inclusive.count("inclusiveGateway") == 2
    checked = check(designer, url, inclusive)
    assert checked["ok"] is True
    assert [(p["rule"], p["element_id"], p["severity"]) for p in checked["problems"]] == [
        ("bpmnlint:no-inclusive-gateway", "dismissal_needed", "warning")
    ]
    assert checked["problems"][0]["zh"] == "不建议使用包容网关"


def test_without_node_the_check_says_bpmnlint_is_unavailable(
    users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one stand-in here: node missing from the server (the real runner is tested above).
    monkeypatch.setattr(bpmnlint.shutil, "which", lambda name: None)
    designer = users["designer"]
    url, model = appraisal_draft(designer)
    checked = designer.post(f"{url}/check")
    assert checked["ok"] is True
    (problem,) = checked["problems"]
    assert problem["severity"] == "warning" and problem["rule"] == "bpmnlint"
    assert "bpmnlint 不可用" in problem["zh"] and "unavailable" in problem["en"]
    assert problem["element_id"] is None
