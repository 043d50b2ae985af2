"""Bounds on what one operation of a model's script or expression can build (workflows/script_limits.py).

Each refused payload below is a single C-level operation that, unguarded, holds the GIL for minutes
(`10**10**10`, `[0] * 10**9`, a format width of a billion): the step budget cannot interrupt it, so the
guard must refuse it before it runs. A regression shows as a test that does not return; the refusals are
also asserted to come back quickly.
"""

from __future__ import annotations

import textwrap
import time
from html import escape
from typing import Any

import pytest

from tests.workflows.test_scripting import (
    BUSINESS_RULE_BPMN,
    gateway_bpmn,
    run_gateway,
    run_script,
    script_bpmn,
)
from workflows.engine import ModelError, WorkflowEngine
from workflows.script_limits import MAX_INT_BITS, MAX_SEQUENCE_LENGTH, MAX_STRING_LENGTH
from workflows.script_operands import MAX_NESTING_DEPTH, MAX_VALUE_CHARACTERS, MAX_VALUE_ELEMENTS, check_value
from workflows.scripting import RestrictedEnvironment, ScriptRejectedError
from workflows.specs import parse_bundle

QUICK = 2.0  # seconds; a refused payload returns in milliseconds, an unguarded one runs for minutes

HUGE_IN_ONE_OPERATION = [
    "10**10**10",
    "2 ** 20000",
    "(2**5000) * (2**5000)",
    "1 << 10**10",
    "[0] * 10**9",
    "10**9 * [0]",
    "(0,) * 10**9",
    "'x' * 10**10",
    "10**10 * 'x'",
    "b'x' * 10**10",
    "[0] * 60000 + [0] * 60000",
    "'%0999999999d' % 1",
    "'%.999999999f' % 1.0",
    "b'%0999999999d' % 1",
    "'%*d' % (10**9, 1)",
    "f'{1:>999999999}'",
    "f'{1.0:.999999999f}'",
    "f'{1:>{10**9}}'",
    "f'{\"a\"!r:>999999999}'",
    "'a'.ljust(10**9)",
    "'a'.rjust(10**9)",
    "'a'.center(10**9, '*')",
    "'1'.zfill(10**9)",
    "'\\t'.expandtabs(10**9)",
    "('a' * 1000).replace('', 'b' * 1000)",
    "('a' * 1000).join(['b' * 1000] * 2000)",
    "('a' * 1000).translate({97: 'b' * 10000})",
    "str.ljust('a', 10**9)",
    "round(1, -10**9)",
    "(5).to_bytes(10**9, 'big')",
    "[*[0] * 100000, *[0] * 100000]",
    "sum([[0] * 1000] * 1000, [])",
]


@pytest.mark.parametrize("expression", HUGE_IN_ONE_OPERATION)
def test_an_operation_that_would_build_a_huge_value_is_refused_before_it_runs(expression: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptRejectedError):
        RestrictedEnvironment().evaluate(expression, {})
    context: dict[str, Any] = {"kept": 1}
    with pytest.raises(ScriptRejectedError):
        RestrictedEnvironment().execute(f"value = {expression}", context)
    assert context == {"kept": 1}
    assert time.monotonic() - started < QUICK


# A float operand lets the compiler leave `+ - * **` unguarded (decision tables are full of `a * 0.4`):
# no sequence can be repeated or extended by a float, so these fail at once instead.
@pytest.mark.parametrize("expression", ["[0] * (10**9 * 1.0)", "'x' * 1e10", "'x' * (2 ** 0.5)", "[0] + 0.5"])
def test_a_float_operand_cannot_grow_a_sequence(expression: str) -> None:
    with pytest.raises(TypeError):
        RestrictedEnvironment().evaluate(expression, {})


# Builtins that would make huge values are simply not offered to models.
@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("pow(10, 10**10)", NameError),
        ("bytes(10**9)", NameError),
        ("bytearray(10**9)", NameError),
        ("format(1, '>999999999')", NameError),
        ("'{:>999999999}'.format(1)", NotImplementedError),
        ("(10).__pow__(10**10)", ScriptRejectedError),  # underscore attributes do not compile
    ],
)
def test_builtins_that_build_huge_values_are_not_offered(expression: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        RestrictedEnvironment().evaluate(expression, {})


@pytest.mark.parametrize(
    "script",
    [
        "x = 1\nwhile True:\n    x += x",
        "x = 1\nwhile True:\n    x = x - (0 - x)",
        "x = 2\nwhile True:\n    x *= x",
        "x = 'x'\nwhile True:\n    x += x",
        "a = [0]\nwhile True:\n    a += a",
        "a = [0]\nwhile True:\n    a.extend(a)",
        "a = [0]\nwhile True:\n    a[len(a):] = a",
        "a = [0]\nwhile True:\n    a[len(a):] = zip(a)",
        "a = [0]\nwhile True:\n    a += zip(a)",
        "a = [0]\na *= 10**9",
        "a = [0]\nwhile True:\n    a = [*a, *a]",
        "t = (0,)\nwhile True:\n    t = (*t, *t)",
    ],
)
def test_a_loop_that_doubles_a_value_is_refused_at_the_bound(script: str) -> None:
    with pytest.raises(ScriptRejectedError) as refused:
        RestrictedEnvironment().execute(script, {})
    assert "上限" in str(refused.value)


# int.from_bytes makes an 8-million-bit integer cheaply; dividing two of them costs the product of their
# lengths (a minute), so a division is refused when both sides are longer than MAX_INT_BITS.
HUGE_INTEGER = "x = int.from_bytes(b'\\xff' * 1000000, 'big')\n"


@pytest.mark.parametrize(
    "operation", ["x // (x >> 4000000)", "x % (x >> 4000000)", "divmod(x, x >> 4000000)"]
)
def test_a_long_division_of_two_huge_integers_is_refused(operation: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptRejectedError, match="整数上限"):
        RestrictedEnvironment().execute(HUGE_INTEGER + f"y = {operation}", {})
    assert time.monotonic() - started < QUICK
    context: dict[str, Any] = {}
    # By a short divisor it stays linear, and allowed.
    short_divisions = "q = x // 7\nr = x % 7\nd = divmod(x, 7)[1]\nx = q = 0"
    RestrictedEnvironment().execute(HUGE_INTEGER + short_divisions, context)
    assert context["r"] == context["d"] == (256**1000000 - 1) % 7


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = []\nfor i in range(100):\n    x = [x]", "嵌套"),
        ("x = {}\nfor i in range(100):\n    x = {'k': x}", "嵌套"),
        ("x = []\nx.append(x)", "嵌套"),  # a cycle is nesting without end
        ("x = [0]\nfor i in range(40):\n    x = [x, x]", "过大"),  # a million elements long before 40 levels
        ("x = [0]\nfor i in range(12):\n    x = (x, x, x, x)", "过大"),  # 16 million elements once saved
        ("s = 'x' * 1000\nx = [[s] * 1000] * 1000", "过大"),  # a billion characters once saved
        ("x = [[0] * 100000] * 100000", "过大"),
    ],
)
def test_values_written_to_task_data_are_bounded_in_nesting_and_size(script: str, reason: str) -> None:
    context: dict[str, Any] = {}
    started = time.monotonic()
    with pytest.raises(ScriptRejectedError) as refused:
        RestrictedEnvironment().execute(script, context)
    assert reason in str(refused.value)
    assert "“x”" in str(refused.value)
    assert context == {}
    assert time.monotonic() - started < QUICK


@pytest.mark.parametrize("value", ["2**64", "-(2**63) - 1", "[1, [2**70]]", "{2**70: 1}"])
def test_integers_written_to_task_data_fit_in_64_bits(value: str) -> None:
    # The storage's JSON encoder (orjson) cannot write a longer integer: saving the instance would fail.
    with pytest.raises(ScriptRejectedError, match="64 位"):
        RestrictedEnvironment().execute(f"x = {value}", {})
    with pytest.raises(ScriptRejectedError, match="64 位"):
        RestrictedEnvironment().evaluate(value, {})


def test_longer_integers_may_be_used_inside_a_script() -> None:
    context: dict[str, Any] = {}
    script = "big = 2**200\nsmall = big // 2**190\nsame = [big] == [2**200]\nbig = 0"
    RestrictedEnvironment().execute(script, context)
    assert context == {"big": 0, "small": 1024, "same": True}
    RestrictedEnvironment().execute("x = [2**64 - 1, -(2**63)]", context)
    assert context["x"] == [2**64 - 1, -(2**63)]


def test_an_expression_result_is_bounded_in_nesting() -> None:
    with pytest.raises(ScriptRejectedError, match="嵌套"):
        RestrictedEnvironment().evaluate("[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1), {})


@pytest.mark.parametrize(
    "expression",
    [
        "items.append(items) or True",
        "record.update({'k': [0] * 1000}) is None",
        "items.sort() or 1",
        "s.add(1)",
    ],
)
def test_an_expression_cannot_change_task_data_in_place(expression: str) -> None:
    # Only its result is checked, so an expression may not grow (or make a cycle in) the data it reads.
    context: dict[str, Any] = {"items": [2, 1], "record": {}, "s": set()}
    with pytest.raises(ScriptRejectedError, match="表达式不能修改流程数据"):
        RestrictedEnvironment().evaluate(expression, context)
    assert context == {"items": [2, 1], "record": {}, "s": set()}


def test_a_gateway_condition_changing_task_data_fails_with_a_model_error() -> None:
    specs = parse_bundle({"x.bpmn": gateway_bpmn("findings.append(findings) is None")})
    with pytest.raises(ModelError, match="表达式不能修改流程数据"):
        WorkflowEngine().start(specs, "branching", {"findings": []})


def test_check_value_accepts_values_at_the_bounds() -> None:
    nested: Any = 0
    for _ in range(MAX_NESTING_DEPTH):
        nested = [nested]
    check_value(nested, "value")
    with pytest.raises(ScriptRejectedError):
        check_value([nested], "value")
    check_value([0] * MAX_VALUE_ELEMENTS, "value")
    with pytest.raises(ScriptRejectedError):
        check_value([[0] * MAX_VALUE_ELEMENTS], "value")
    text = "x" * (MAX_VALUE_CHARACTERS // 4)
    check_value([text] * 4, "value")
    with pytest.raises(ScriptRejectedError):
        check_value([text] * 5, "value")


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("2 ** 10", 1024),
        ("2 ** -1", 0.5),
        ("(-2) ** 3", -8),
        ("0 ** 10**10", 0),
        ("1 ** 10**10", 1),
        ("10 ** 0.5 > 3", True),
        ("2.5 ** 2", 6.25),
        (f"(2 ** {MAX_INT_BITS - 1}).bit_length()", MAX_INT_BITS),
        ("3 * [1]", [1, 1, 1]),
        ("[1] * 3", [1, 1, 1]),
        ("'ab' * 3", "ababab"),
        ("True * 'a'", "a"),
        ("[0] * -1", []),
        (f"len('x' * {MAX_STRING_LENGTH})", MAX_STRING_LENGTH),
        (f"len([0] * {MAX_SEQUENCE_LENGTH})", MAX_SEQUENCE_LENGTH),
        ("1.5 * 2", 3.0),
        ("1 << 3", 8),
        ("1024 >> 3", 128),
        ("'a' + 'b'", "ab"),
        ("[1] + [2]", [1, 2]),
        ("(1,) + (2,)", (1, 2)),
        ("7 - 10", -3),
        ("{1, 2} - {1}", {2}),
        ("7 % 3", 1),
        ("'%5.2f|%-3s|%%' % (3.14159, 'a')", " 3.14|a  |%"),
        ("'%(n)03d' % {'n': 4}", "004"),
        ("f'{3.14159:.2f}|{7:>4}|{\"a\"!r}|{5:03d}'", "3.14|   7|'a'|005"),
        ("'a'.ljust(3, '.') + 'b'.rjust(3) + 'c'.center(3) + '7'.zfill(3)", "a..  b c 007"),
        ("'a\\tb'.expandtabs(4)", "a   b"),
        ("'a-b-c'.replace('-', '_')", "a_b_c"),
        ("'a-b-c'.replace('-', '__', 1)", "a__b-c"),
        ("', '.join(['a', 'b'])", "a, b"),
        ("'-'.join(x for x in 'abc')", "a-b-c"),
        ("'ab'.translate({97: 'xy'})", "xyb"),
        ("round(2.567, 2)", 2.57),
        ("[*'ab', *[1]] + [*(2,)]", ["a", "b", 1, 2]),
        ("(*'ab', 3)", ("a", "b", 3)),
        ("divmod(7, 2)", (3, 1)),
        ("7 // 2", 3),
        ("(5).to_bytes(2, 'big')", b"\x00\x05"),
        ("round(1234, -2)", 1200),
        ("round(2.5)", 2),
        ("sum([1, 2, 3])", 6),
        ("sum([0.5, 0.25], 1)", 1.75),
        ("sum([[1, 2], [3]], [])", [1, 2, 3]),
        ("sum([(1,), (2,)], ())", (1, 2)),
    ],
)
def test_ordinary_arithmetic_and_text_still_work(expression: str, value: Any) -> None:
    assert RestrictedEnvironment().evaluate(expression, {}) == value


def test_augmented_assignments_keep_their_meaning() -> None:
    context: dict[str, Any] = {"items": [1], "names": {"a", "b"}}
    RestrictedEnvironment().execute(
        "x = 1\nx += 1\nx *= 5\nx -= 1\nx %= 5\nx //= 2\n"
        "s = 'a'\ns += 'b'\ns *= 2\n"
        "alias = items\nitems += [2]\nitems *= 2\nitems.extend(i for i in [3])\n"
        "items[0:1] = [0, 0]\nitems[1] = 9\n"
        "names -= {'a'}\n",
        context,
    )
    assert context["x"] == 2
    assert context["s"] == "abab"
    # `+=` and `*=` change a list in place, as in Python: another name of it sees the change.
    assert context["items"] == [0, 9, 2, 1, 2, 3]
    assert context["alias"] is context["items"]
    assert context["names"] == {"b"}


def test_attributes_of_a_list_cannot_be_written_through_the_write_guard() -> None:
    with pytest.raises(AttributeError):
        RestrictedEnvironment().execute("items.color = 'red'", {"items": [1]})


# -- through a BPMN run by the engine ---------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    ["x = 10**10**10", "x = [0] * 10**9", "x = 'x' * 10**10", "x = f'{1:>999999999}'", "x = []\nx.append(x)"],
)
def test_a_script_task_building_a_huge_value_fails_with_a_model_error(script: str) -> None:
    specs = parse_bundle({"x.bpmn": script_bpmn(script)})
    engine = WorkflowEngine()
    with pytest.raises(ModelError) as refused:
        engine.start(specs, "scripted", {})
    assert "模型脚本被拒绝执行：" in str(refused.value) and refused.value.element == "脚本（run_script）"
    assert "上限" in str(refused.value) or "嵌套" in str(refused.value)


@pytest.mark.parametrize("condition", ["10**10**10 > 1", "len([0] * 10**9) > 0", "'%0999999999d' % 1 != ''"])
def test_a_gateway_condition_building_a_huge_value_fails_with_a_model_error(condition: str) -> None:
    specs = parse_bundle({"x.bpmn": gateway_bpmn(condition)})
    with pytest.raises(ModelError) as refused:
        WorkflowEngine().start(specs, "branching", {})
    assert "上限" in str(refused.value)


DMN_WITH_OUTPUT = textwrap.dedent("""\
    <?xml version="1.0" encoding="UTF-8"?>
    <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="probe_definitions" name="probe"
                 namespace="http://auxpolice/dmn">
      <decision id="probe" name="probe">
        <decisionTable id="probe_table" hitPolicy="UNIQUE">
          <input id="probe_input" label="input">
            <inputExpression id="probe_input_expression" typeRef="integer">
              <text>@INPUT@</text>
            </inputExpression>
          </input>
          <output id="probe_output" label="out" name="out" typeRef="integer" />
          <rule id="probe_rule">
            <inputEntry id="probe_rule_input"><text>&gt; 0</text></inputEntry>
            <outputEntry id="probe_rule_output"><text>@OUTPUT@</text></outputEntry>
          </rule>
        </decisionTable>
      </decision>
    </definitions>
""")


def decision_bundle(input_expression: str, output_expression: str) -> dict[str, str]:
    dmn = DMN_WITH_OUTPUT.replace("@INPUT@", escape(input_expression, quote=False))
    dmn = dmn.replace("@OUTPUT@", escape(output_expression, quote=False))
    return {"x.bpmn": BUSINESS_RULE_BPMN, "probe.dmn": dmn}


def test_dmn_expressions_run_with_the_same_bounds() -> None:
    engine = WorkflowEngine()
    workflow = engine.start(parse_bundle(decision_bundle("n", "2 ** 10")), "decides", {"n": 1})
    assert engine.data(workflow)["out"] == 1024
    refused_pairs = [("10**10**10", "1"), ("n", "10**10**10"), ("n", "[0] * 10**9")]
    for input_expression, output_expression in refused_pairs:
        specs = parse_bundle(decision_bundle(input_expression, output_expression))
        with pytest.raises(ModelError) as refused:
            WorkflowEngine().start(specs, "decides", {"n": 1})
        assert "上限" in str(refused.value)


def test_ordinary_scripts_and_conditions_still_run_through_the_engine() -> None:
    data = run_script("total = 2 ** 10 + 3 * 2\nlabel = f'{total:>6}'\nrow = ['-'] * 3", {})
    assert (data["total"], data["label"], data["row"]) == (1030, "  1030", ["-", "-", "-"])
    assert run_gateway("2 ** 10 > 1000 and 'ab' * 2 == 'abab'", {}) == "yes"
