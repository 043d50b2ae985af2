"""The restricted script environment: what a model's scripts and expressions may and may not do.

Models come from people, so every expression (gateway conditions, timer dates, DMN entries) and every script
task runs under RestrictedPython with an allow-list of builtins, no modules and a step budget. The refusals
are checked both on the environment itself and through a BPMN run by the engine, where they surface as
ModelError.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from html import escape
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.samples import ELIGIBLE
from workflows.engine import ModelError, WorkflowEngine
from workflows.scripting import (
    MAX_RANGE,
    OperatorCall,
    RestrictedEnvironment,
    RestrictedScriptEngine,
    ScriptRejectedError,
)
from workflows.specs import ProcessSpecs, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]

BPMN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="test_definitions" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)


SCRIPT_PROCESS = textwrap.dedent("""\
    <bpmn:process id="scripted" isExecutable="true">
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:scriptTask id="run_script" name="脚本" scriptFormat="python">
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
        <bpmn:script>@SCRIPT@</bpmn:script>
      </bpmn:scriptTask>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run_script" />
      <bpmn:sequenceFlow id="f2" sourceRef="run_script" targetRef="end" />
    </bpmn:process>
    </bpmn:definitions>
""")

GATEWAY_PROCESS = textwrap.dedent("""\
    <bpmn:process id="branching" isExecutable="true">
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:exclusiveGateway id="decide" name="判断" default="f_no">
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
      </bpmn:exclusiveGateway>
      <bpmn:scriptTask id="mark_yes" scriptFormat="python">
        <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f_yes_end</bpmn:outgoing>
        <bpmn:script>branch = "yes"</bpmn:script>
      </bpmn:scriptTask>
      <bpmn:scriptTask id="mark_no" scriptFormat="python">
        <bpmn:incoming>f_no</bpmn:incoming><bpmn:outgoing>f_no_end</bpmn:outgoing>
        <bpmn:script>branch = "no"</bpmn:script>
      </bpmn:scriptTask>
      <bpmn:endEvent id="end_yes"><bpmn:incoming>f_yes_end</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="end_no"><bpmn:incoming>f_no_end</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
      <bpmn:sequenceFlow id="f_yes" sourceRef="decide" targetRef="mark_yes">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">@CONDITION@</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_no" sourceRef="decide" targetRef="mark_no" />
      <bpmn:sequenceFlow id="f_yes_end" sourceRef="mark_yes" targetRef="end_yes" />
      <bpmn:sequenceFlow id="f_no_end" sourceRef="mark_no" targetRef="end_no" />
    </bpmn:process>
    </bpmn:definitions>
""")


def script_bpmn(script: str) -> str:
    """A process: start -> script task running ``script`` (kept verbatim) -> end."""
    return BPMN_HEAD + SCRIPT_PROCESS.replace("@SCRIPT@", escape(script, quote=False))


def gateway_bpmn(condition: str) -> str:
    """A process whose exclusive gateway takes the ``yes`` branch when ``condition`` holds."""
    return BPMN_HEAD + GATEWAY_PROCESS.replace("@CONDITION@", escape(condition, quote=False))


def run_script(script: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a one-script-task process to its end and return its data."""
    specs = parse_bundle({"x.bpmn": script_bpmn(script)})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "scripted", dict(data or {}))
    assert engine.is_completed(workflow)
    return engine.data(workflow)


def run_gateway(condition: str, data: dict[str, Any]) -> str:
    """Run the branching process and return the branch taken."""
    specs = parse_bundle({"x.bpmn": gateway_bpmn(condition)})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "branching", dict(data))
    assert engine.is_completed(workflow)
    branch: str = engine.data(workflow)["branch"]
    return branch


# -- refusals on the environment itself ---------------------------------------------------------------

# Refused by the restricted compiler, before anything runs.
COMPILE_REFUSED = [
    "__import__('os')",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('1 + 1')",
    "exec('x = 1')",
    "(lambda: 1).__globals__",
]

# Compiled, but the names are not in the allow-list of builtins (or are guarded), so they fail when run.
RUNTIME_REFUSED = [
    ("open('/etc/passwd')", NameError),
    ("getattr(1, 'real')", NameError),
    ("setattr(d, 'x', 1)", NameError),
    ("type(d)", NameError),
    ("globals()", NameError),
    ("vars(d)", NameError),
    ("compile('1', 'x', 'eval')", NameError),
    ("'{0.__class__}'.format(d)", NotImplementedError),
    ("range(10 ** 9)", ScriptRejectedError),
]


@pytest.mark.parametrize("expression", COMPILE_REFUSED)
def test_environment_refuses_at_compile_time(expression: str) -> None:
    environment = RestrictedEnvironment()
    with pytest.raises(ScriptRejectedError):
        environment.evaluate(expression, {})
    with pytest.raises(ScriptRejectedError):
        environment.execute(f"result = {expression}", {})


@pytest.mark.parametrize("expression", COMPILE_REFUSED)
def test_script_engine_validate_reports_refused_expressions_as_syntax_errors(expression: str) -> None:
    with pytest.raises(SyntaxError):
        RestrictedScriptEngine().validate(expression)


@pytest.mark.parametrize(("expression", "error"), RUNTIME_REFUSED)
def test_environment_refuses_at_run_time(expression: str, error: type[Exception]) -> None:
    context: dict[str, Any] = {"d": {"k": 1}}
    with pytest.raises(error):
        RestrictedEnvironment().evaluate(expression, context)
    assert context == {"d": {"k": 1}}


def test_range_below_the_bound_is_allowed() -> None:
    assert RestrictedEnvironment().evaluate(f"len(range({MAX_RANGE}))", {}) == MAX_RANGE


def test_import_statement_in_a_script_is_refused() -> None:
    context: dict[str, Any] = {}
    with pytest.raises(ImportError):
        RestrictedEnvironment().execute("import os\nwhere = os.getcwd()", context)
    assert "os" not in context
    assert "where" not in context


def test_script_results_exclude_private_names_and_callables() -> None:
    context: dict[str, Any] = {"scores": [3, 4]}
    RestrictedEnvironment().execute("total = sum(scores)\ndef helper(x):\n    return x\n", context)
    assert context == {"scores": [3, 4], "total": 7}


# -- refusals through a BPMN run by the engine --------------------------------------------------------

SCRIPT_REFUSED = [
    "x = __import__('os')",
    "import os",
    "import os\nwhere = os.getcwd()",
    "from os import path",
    "bases = ().__class__.__bases__",
    "content = open('/etc/passwd').read()",
    "value = eval('1 + 1')",
    "value = getattr(1, 'real')",
    "text = '{0.__class__}'.format(1)",
]


@pytest.mark.parametrize("script", SCRIPT_REFUSED)
def test_script_task_refusals_surface_as_model_errors(script: str) -> None:
    specs = parse_bundle({"x.bpmn": script_bpmn(script)})
    engine = WorkflowEngine()
    with pytest.raises(ModelError):
        engine.start(specs, "scripted", {})


CONDITION_REFUSED = [
    "__import__('os').system('true') == 0",
    "().__class__.__bases__ is not None",
    "len(open('/etc/passwd').read()) > 0",
    "eval('True')",
    "getattr(candidate, 'keys') is not None",
]


@pytest.mark.parametrize("condition", CONDITION_REFUSED)
def test_gateway_condition_refusals_surface_as_model_errors(condition: str) -> None:
    specs = parse_bundle({"x.bpmn": gateway_bpmn(condition)})
    engine = WorkflowEngine()
    with pytest.raises(ModelError):
        engine.start(specs, "branching", {"candidate": {"found": True}})


def test_workflows_run_with_the_restricted_engine_after_start_and_load() -> None:
    specs = parse_bundle({"x.bpmn": script_bpmn("x = 1")})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "scripted", {})
    assert isinstance(workflow.script_engine, RestrictedScriptEngine)
    reloaded = engine.load(specs, "scripted", json.loads(json.dumps(engine.dump(workflow))))
    assert isinstance(reloaded.script_engine, RestrictedScriptEngine)


# -- the step budget -----------------------------------------------------------------------------------

BUDGET_PROGRAM = textwrap.dedent("""\
    import json, sys
    from workflows.engine import ModelError, WorkflowEngine
    from workflows.specs import parse_bundle
    specs = parse_bundle({"x.bpmn": sys.argv[1]})
    try:
        WorkflowEngine().start(specs, "scripted", {})
    except ModelError as error:
        print(json.dumps({"outcome": "ModelError", "message": str(error)}))
    else:
        print(json.dumps({"outcome": "completed"}))
""")


def run_isolated(bpmn: str, timeout: float = 20.0) -> dict[str, Any]:
    """Start the process in a child interpreter, so that a loop the budget misses cannot hang the suite."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, run by this interpreter
            [sys.executable, "-c", BUDGET_PROGRAM, bpmn],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the script was not stopped within {timeout} seconds")
    assert result.returncode == 0, result.stderr
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@pytest.mark.parametrize(
    "script",
    [
        "x = 0\nwhile True:\n    x = x + 1",
        "while True:\n    pass",
        "def forever():\n    while True:\n        y = 1\nforever()",
        "x = [i for i in range(10000) for j in range(10000)]",
    ],
)
def test_runaway_loops_are_stopped_by_the_step_budget(script: str) -> None:
    outcome = run_isolated(script_bpmn(script))
    assert outcome["outcome"] == "ModelError"
    assert "step budget" in outcome["message"]


def test_one_line_infinite_loop_is_stopped_by_the_step_budget() -> None:
    outcome = run_isolated(script_bpmn("while True: pass"), timeout=8.0)
    assert outcome["outcome"] == "ModelError"
    assert "step budget" in outcome["message"]


def test_deep_recursion_is_stopped() -> None:
    specs = parse_bundle({"x.bpmn": script_bpmn("def down(n):\n    return down(n + 1)\nresult = down(0)")})
    with pytest.raises(ModelError):
        WorkflowEngine().start(specs, "scripted", {})


# -- what a modeller may do ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "data", "branch"),
    [
        ("len(findings) == 0", {"findings": []}, "yes"),
        ("len(findings) == 0", {"findings": ["bad_credit"]}, "no"),
        ('"bad_credit" in findings', {"findings": ["bad_credit"]}, "yes"),
        ('"bad_credit" not in findings', {"findings": ["bad_credit"]}, "no"),
        ('not candidate["found"]', {"candidate": {"found": False}}, "yes"),
        ('candidate["application_id"] == 7', {"candidate": {"found": True, "application_id": 7}}, "yes"),
        ('decision == "approve"', {"decision": "return"}, "no"),
        ("30 < age <= 40 and not age_relaxed", {"age": 35, "age_relaxed": False}, "yes"),
        ("max(scores) >= 60 and min(scores) > 0", {"scores": [12, 61]}, "yes"),
        ('sorted(d.keys()) == ["a", "b"]', {"d": {"b": 1, "a": 2}}, "yes"),
        ('"dismissal_review" in (action or [])', {"action": None}, "no"),
    ],
)
def test_ordinary_gateway_conditions_work(condition: str, data: dict[str, Any], branch: str) -> None:
    assert run_gateway(condition, data) == branch


def test_ordinary_script_computes_task_data() -> None:
    data = run_script(
        "station_total = sum(station_items.values())\n"
        "passed = [s['application_id'] for s in scores if s['score'] >= 60]\n"
        "best = sorted(scores, key=lambda s: s['score'], reverse=True)[0]['application_id']\n"
        "labels = {k: str(v) for k, v in station_items.items()}\n",
        {
            "station_items": {"a": 10, "b": 5},
            "scores": [{"application_id": 1, "score": 59}, {"application_id": 2, "score": 90}],
        },
    )
    assert data["station_total"] == 15
    assert data["passed"] == [2]
    assert data["best"] == 2
    assert data["labels"] == {"a": "10", "b": "5"}


def test_script_may_write_into_task_data_dicts() -> None:
    data = run_script("record['status'] = 'done'", {"record": {"status": "new"}})
    assert data["record"] == {"status": "done"}


def test_augmented_assignment_in_a_script_works() -> None:
    assert run_script("total = 0\nfor s in scores:\n    total += s", {"scores": [1, 2, 3]})["total"] == 6


def test_tuple_unpacking_assignment_in_a_script_works() -> None:
    data = run_script("low, high = bounds", {"bounds": [18, 30]})
    assert (data["low"], data["high"]) == (18, 30)


# -- DMN through the restricted engine -----------------------------------------------------------------


def recruitment_specs() -> ProcessSpecs:
    return parse_bundle(attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms"))


@pytest.mark.parametrize(
    ("changes", "reason_codes"),
    [
        ({}, None),
        ({"age": 35}, ["age_over_30_not_relaxed"]),
        ({"age": 35, "age_relaxed": True}, None),
        ({"age": 41, "age_relaxed": True}, ["age_over_40"]),
        ({"age": 17, "nationality": "US"}, ["age_under_18", "not_chinese_national"]),
        ({"education": "below_high_school"}, ["below_high_school"]),
        ({"disqualifiers": ["bad_credit", "detention"]}, ["detention", "bad_credit"]),
    ],
)
def test_eligibility_decision_runs_in_the_restricted_engine(
    changes: dict[str, Any], reason_codes: list[str] | None
) -> None:
    calls: list[OperatorCall] = []

    def handler(call: OperatorCall) -> dict[str, Any]:
        calls.append(call)
        return {"recorded": True}

    engine = WorkflowEngine(handler)
    workflow = engine.start(recruitment_specs(), "applicant_screening", {**ELIGIBLE, **changes})
    assert isinstance(workflow.script_engine, RestrictedScriptEngine)
    assert engine.is_completed(workflow)
    data = engine.data(workflow)
    assert data.get("reason_code") == reason_codes
    assert [call.name for call in calls] == ["record_screening"]
    # The operator sees the decision's outputs in the task data.
    assert calls[0].data.get("reason_code") == reason_codes


DMN_WITH_INPUT = textwrap.dedent("""\
    <?xml version="1.0" encoding="UTF-8"?>
    <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="probe_definitions" name="probe"
                 namespace="http://auxpolice/dmn">
      <decision id="probe" name="probe">
        <decisionTable id="probe_table" hitPolicy="UNIQUE">
          <input id="probe_input" label="input">
            <inputExpression id="probe_input_expression" typeRef="string">
              <text>@EXPRESSION@</text>
            </inputExpression>
          </input>
          <output id="probe_output" label="out" name="out" typeRef="string" />
          <rule id="probe_rule">
            <inputEntry id="probe_rule_input"><text>"X"</text></inputEntry>
            <outputEntry id="probe_rule_output"><text>"matched"</text></outputEntry>
          </rule>
        </decisionTable>
      </decision>
    </definitions>
""")

BUSINESS_RULE_BPMN = BPMN_HEAD + textwrap.dedent("""\
    <bpmn:process id="decides" isExecutable="true">
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:businessRuleTask id="decide" name="决策">
        <bpmn:extensionElements>
          <spiffworkflow:calledDecisionId>probe</spiffworkflow:calledDecisionId>
        </bpmn:extensionElements>
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      </bpmn:businessRuleTask>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
      <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
    </bpmn:process>
    </bpmn:definitions>
""")


def decision_bundle(expression: str) -> dict[str, str]:
    return {
        "x.bpmn": BUSINESS_RULE_BPMN,
        "probe.dmn": DMN_WITH_INPUT.replace("@EXPRESSION@", escape(expression, quote=False)),
    }


@pytest.mark.parametrize(("name", "out"), [("x", "matched"), ("y", None)])
def test_dmn_input_expression_runs_in_the_restricted_engine(name: str, out: str | None) -> None:
    specs = parse_bundle(decision_bundle("name.upper()"))
    engine = WorkflowEngine()
    workflow = engine.start(specs, "decides", {"name": name})
    assert engine.is_completed(workflow)
    assert engine.data(workflow).get("out") == out


@pytest.mark.parametrize("expression", ["__import__('os').getcwd()", "open('/etc/passwd').read()"])
def test_dmn_input_expression_refusals_surface_as_model_errors(expression: str) -> None:
    specs = parse_bundle(decision_bundle(expression))
    with pytest.raises(ModelError):
        WorkflowEngine().start(specs, "decides", {})
