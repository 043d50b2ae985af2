"""Comparing, hashing and printing a value walks all of it (workflows/script_operands.py).

`x = [x, x]` forty times is a small value (forty lists) that is 2**40 elements once walked, so one `==`,
`{x}` or `str(x)` would hold the GIL for hours. Each payload below builds such a value and hands it to one
walk; the walk must be refused (quickly) before it starts. Ordinary comparisons, sets, dicts, sorting and
printing keep working.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.workflows.test_scripting import gateway_bpmn, script_bpmn
from workflows.engine import ModelError, WorkflowEngine
from workflows.scripting import RestrictedEnvironment, ScriptRejectedError
from workflows.specs import parse_bundle

QUICK = 2.0  # seconds; a refused walk returns in milliseconds, an unguarded one runs for hours

# Two equal values that share their parts, built from distinct leaves, so no identity shortcut applies.
SHARED_LISTS = "a = [0]\nb = [0]\nfor i in range(40):\n    a = [a, a]\n    b = [b, b]\n"
SHARED_TUPLES = "t = (0,)\nfor i in range(40):\n    t = tuple([t, t])\n"

WALKS = [
    SHARED_LISTS + "c = a == b",
    SHARED_LISTS + "c = a != b or a < b",
    SHARED_LISTS + "c = a in [b]",
    SHARED_LISTS + "c = [a].count(b)",
    SHARED_LISTS + "c = [a].index(b)",
    SHARED_LISTS + "c = sorted([a, b])",
    SHARED_LISTS + "c = max([a, b])",
    SHARED_LISTS + "c = max([1, 2], key=lambda x: a if x == 1 else b)",
    SHARED_LISTS + "x = [a, b]\nx.sort()",
    SHARED_LISTS + "c = str(a)",
    SHARED_LISTS + "c = f'{a}'",
    SHARED_LISTS + "c = f'{a!r}'",
    SHARED_LISTS + "c = '%s' % (a,)",
    SHARED_LISTS + "c = '%s'\nc %= (a,)",
    SHARED_LISTS + "raise ValueError(a)",
    SHARED_LISTS + "assert False, a",
    SHARED_TUPLES + "c = {t}",
    SHARED_TUPLES + "c = {t: 1}",
    SHARED_TUPLES + "c = {k for k in [t]}",
    SHARED_TUPLES + "c = {k: 1 for k in [t]}",
    SHARED_TUPLES + "c = t in {1: 2}",
    SHARED_TUPLES + "d = {}\nd[t] = 1",
    SHARED_TUPLES + "c = {}.get(t)",
    SHARED_TUPLES + "c = {1: 2}[t]",
    SHARED_TUPLES + "c = set([t])",
    SHARED_TUPLES + "c = set(zip([t], [t]))",
    SHARED_TUPLES + "c = dict.fromkeys([t])",
    SHARED_TUPLES + "s = set()\ns.add(t)",
    SHARED_TUPLES + "c = {1}.union([t])",
    "s = 'x' * 1000000\na = [s] * 100000\nb = ['x' * 1000000] * 100000\nc = a == b",  # flat, 10**11 chars
]


@pytest.mark.parametrize("script", WALKS)
def test_a_walk_over_a_value_that_shares_its_parts_is_refused(script: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptRejectedError, match="过大") as refused:
        RestrictedEnvironment().execute(script, {})
    assert "脚本写入的数据项" not in str(refused.value)  # refused at the walk, not when saved
    assert time.monotonic() - started < QUICK


@pytest.mark.parametrize(
    "script",
    ["f = str", "f = sorted\ng = f([1])", "c = sorted(['a'], key=str)", "c = [1].sort(key=str)", "c = max"],
)
def test_walking_builtins_can_only_be_called_by_name(script: str) -> None:
    # `f = str; f(x)` would call str past the check on its argument.
    with pytest.raises(ScriptRejectedError, match="只能直接调用"):
        RestrictedEnvironment().execute(script, {})


def test_a_gateway_comparing_shared_values_fails_with_a_model_error() -> None:
    specs = parse_bundle({"x.bpmn": gateway_bpmn("tree == other")})
    tree: Any = [0]
    other: Any = [0]
    for _ in range(40):
        tree, other = [tree, tree], [other, other]
    with pytest.raises(ModelError, match="过大"):
        WorkflowEngine().start(specs, "branching", {"tree": tree, "other": other})


def test_a_script_task_printing_a_shared_value_fails_with_a_model_error() -> None:
    specs = parse_bundle({"x.bpmn": script_bpmn(SHARED_LISTS + "text = str(a)")})
    with pytest.raises(ModelError, match="过大"):
        WorkflowEngine().start(specs, "scripted", {})


def test_ordinary_comparisons_sets_dicts_sorting_and_printing_still_work() -> None:
    context: dict[str, Any] = {"scores": [{"id": 2, "score": 90}, {"id": 1, "score": 59}], "tags": ["a", "b"]}
    RestrictedEnvironment().execute(
        "best = max(scores, key=lambda s: s['score'])['id']\n"
        "ranked = [s['id'] for s in sorted(scores, key=lambda s: (s['score'], s['id']))]\n"
        "same = scores == [dict(s) for s in scores] and (1, [2]) == (1, [2]) and 'a' in tags\n"
        "unique = sorted(set(tags + ['a']))\n"
        "pairs = {(s['id'], 'x'): s['score'] for s in scores}\n"
        "found = pairs[(2, 'x')] + pairs.get((1, 'x'), 0)\n"
        "pairs[(3, 'x')] = 0\n"
        "text = str(tags) + f'{scores[0]}' + '%s|%d' % (tags, 7)\n"
        "is_text = isinstance(text, str) and not isinstance(text, (dict, set))\n"
        "upper = str.upper('a')\n"
        "try:\n    int('z')\nexcept ValueError:\n    caught = True\n"
        "tags.sort(key=len)\ncount = tags.count('a') + tags.index('b')\n",
        context,
    )
    assert context["best"] == 2
    assert context["ranked"] == [1, 2]
    assert context["same"] is True
    assert context["unique"] == ["a", "b"]
    assert context["found"] == 149
    assert (3, "x") in context["pairs"]
    assert context["text"] == "['a', 'b']{'id': 2, 'score': 90}['a', 'b']|7"
    assert context["is_text"] is True
    assert context["upper"] == "A"
    assert context["caught"] is True
    assert context["count"] == 2
