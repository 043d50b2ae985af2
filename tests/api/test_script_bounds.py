"""A script or condition building a huge value answers 422 at once (issue 10, item 2), SQLite and PostgreSQL.

Before: `10**10**10` in a script or condition, or `[0] * 10**9`, held the GIL inside one C-level operation
until gunicorn killed the worker, and the request got no answer. Now the sandbox refuses the operation
before it runs (workflows/script_limits.py): the start answers 422 naming the element and the bound,
nothing is kept, and the refusal is an incident for designers.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask

from tests.model_steps import bundle, counts, process, script, start, users_of


def scripted(process_id: str, code: str) -> str:
    flows: list[tuple[str, str, str | None]] = [("start", "compute", None), ("compute", "end", None)]
    return process(process_id, script("compute", "计算", code), flows)


def gateway(process_id: str, condition: str) -> str:
    decide = '<bpmn:exclusiveGateway id="decide" name="判断" default="flow_2" />'
    flows: list[tuple[str, str, str | None]] = [("start", "decide", None), ("decide", "mark", condition)]
    flows += [("decide", "end", None), ("mark", "end", None)]
    return process(process_id, decide + script("mark", "标记", "x = 1"), flows)


SHARED_PARTS = "a = [0]\nfor i in range(40):\n    a = [a, a]\nx = str(a)"  # 2**40 elements once printed


HUGE = [
    (scripted("huge_power", "x = 10**10**10"), "huge_power", "计算（compute）", "**"),
    (scripted("huge_list", "x = [0] * 10**9"), "huge_list", "计算（compute）", "100000"),
    (scripted("huge_format", "x = '%0999999999d' % 1"), "huge_format", "计算（compute）", "1000"),
    (scripted("shared_parts", SHARED_PARTS), "shared_parts", "计算（compute）", "过大"),
    (gateway("huge_condition", "10**10**10 &gt; 1"), "huge_condition", "判断（decide）", "**"),
]


@pytest.mark.parametrize(("model", "process_id", "element", "bound"), HUGE, ids=[h[1] for h in HUGE])
def test_a_model_building_a_huge_value_is_refused_at_once(
    tuned: Flask,
    model: str,
    process_id: str,
    element: str,
    bound: str,
) -> None:
    users, ctx = users_of(tuned), tuned.extensions["auxpolice"]
    users["designer"].post("/api/v1/definitions", {"files": bundle(model)}, expect=201)
    before = counts(ctx)
    began = time.monotonic()
    refusal = start(users["bureau"], process_id, expect=422)
    assert time.monotonic() - began < 5  # refused before it runs, not stopped by the action's wall time
    assert "模型脚本被拒绝执行" in refusal["message"] and bound in refusal["message"]
    assert counts(ctx)[0] == before[0]  # nothing of the start was kept
    incidents = users["designer"].get("/api/v1/incidents")["items"]
    found = [(i["process_id"], i["instance_id"], i["element"]) for i in incidents]
    assert found == [(process_id, None, element)]
    assert bound in incidents[0]["message"]
