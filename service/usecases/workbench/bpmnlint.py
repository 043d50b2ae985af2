"""bpmnlint's recommended rules on a draft's BPMN files (issue 14, point 2), each finding on its element with
a Chinese sentence beside bpmnlint's English.

``web/bpmnlint/run.mjs`` runs bpmnlint (npm, ``web/node_modules``) on the files in one ``node`` process, with
a time limit; the rules are configured in ``web/bpmnlint/.bpmnlintrc`` (``bpmnlint:recommended``). A finding
of an "error" rule blocks publishing like our own lints, a "warn" rule's is advice. Only a draft's check
runs it: deploy (the API, the bundled models at start) does not depend on node being installed, and a
published bundle was checked as a draft. Without node the check says so in one warning.
"""

from __future__ import annotations

import json
import shutil
import subprocess  # noqa: S404 - runs node on a fixed script, the files on stdin, never through a shell
from pathlib import Path

from lxml import etree

from workflows.problems import ERROR, WARNING, Problem
from workflows.specs import BPMN_SUFFIXES, MAX_FILE_BYTES, as_utf8_xml

RUNNER = Path(__file__).resolve().parents[3] / "web" / "bpmnlint" / "run.mjs"
TIMEOUT_SECONDS = 5.0
TIMEOUT_PER_FILE = 1.0  # a bundle of many models gets a little more, up to MAX_TIMEOUT
MAX_TIMEOUT = 20.0
MAX_BYTES = 4 * MAX_FILE_BYTES

# What each rule of bpmnlint's recommended set says, in Chinese (the English is bpmnlint's own message).
RULES_ZH = {
    "ad-hoc-sub-process": "临时子流程（ad-hoc）中不能有开始或结束事件，也不能有顺序流出入",
    "conditional-flows": "顺序流缺少条件：有多条出口时，非默认出口都需要条件",
    "end-event-required": "缺少结束事件",
    "event-based-gateway": "事件网关用法不正确：至少两条出口，每条都连向中间捕获事件或接收任务",
    "event-sub-process-typed-start-event": "事件子流程的开始事件须有事件类型（定时器、消息、错误等）",
    "fake-join": "元素有多条入口顺序流但不会等待汇合，请先用网关合并",
    "global": "全局元素（消息、信号、错误、升级）未被使用或重复定义",
    "label-required": "缺少名称",
    "link-event": "链接事件须成对出现，且抛出与捕获的名称一致",
    "no-bpmndi": "元素没有图形（缺少 BPMNDI），在图中看不到",
    "no-complex-gateway": "不支持复杂网关",
    "no-disconnected": "元素没有连接任何顺序流",
    "no-duplicate-sequence-flows": "重复的顺序流：起点和终点相同",
    "no-gateway-join-fork": "网关同时合并和分支，请拆成两个网关",
    "no-implicit-split": "元素有多条无条件出口，会隐式分支，请改用网关",
    "no-implicit-end": "元素没有出口顺序流（隐式结束），请连到结束事件",
    "no-implicit-start": "元素没有入口顺序流（隐式开始），请从开始事件连过来",
    "no-inclusive-gateway": "不建议使用包容网关",
    "no-overlapping-elements": "元素在图中重叠",
    "single-blank-start-event": "流程有多个空白开始事件，只能有一个",
    "single-event-definition": "事件有多个事件定义，只能有一个",
    "start-event-required": "缺少开始事件",
    "sub-process-blank-start-event": "子流程的开始事件须为空白开始事件",
    "superfluous-gateway": "多余的网关：只有一条入口和一条出口",
    "superfluous-label": "多余的标签：此元素的名称不会显示",
    "superfluous-termination": "多余的终止结束事件：改用普通结束事件即可",
}


def bpmnlint_problems(files: dict[str, str]) -> list[Problem]:
    """bpmnlint's findings on the BPMN files of ``files``; a file our parse refuses (not XML, a DOCTYPE) is
    left to the parse's own problem."""
    models = {name: text for name, text in sorted(files.items()) if name.endswith(BPMN_SUFFIXES)}
    processes = {name: _processes(text) for name, text in models.items()}
    models = {name: text for name, text in models.items() if processes[name] is not None}
    if not models:
        return []
    if sum(len(text) for text in models.values()) > MAX_BYTES:
        return [_unavailable("模型过大，未运行 bpmnlint", "the models are too large for bpmnlint")]
    node = shutil.which("node")
    if node is None or not RUNNER.is_file():
        return [
            _unavailable(
                "bpmnlint 不可用（服务器未安装 node）", "bpmnlint unavailable (node is not installed)"
            )
        ]
    timeout = min(MAX_TIMEOUT, TIMEOUT_SECONDS + TIMEOUT_PER_FILE * (len(models) - 1))
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments; the models go on stdin
            [node, str(RUNNER), "--bundle"],
            input=json.dumps(models),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except subprocess.TimeoutExpired:
        return [
            _unavailable(f"bpmnlint 超过 {timeout:g} 秒未完成", f"bpmnlint took longer than {timeout:g} s")
        ]
    except (OSError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        return [_unavailable("bpmnlint 运行失败", "bpmnlint failed")]
    problems: list[Problem] = []
    for name, findings in answer.items():
        if isinstance(findings, list):
            problems.extend(_problem(name, finding, processes[name] or {}) for finding in findings)
    return problems


def _problem(file: str, finding: dict[str, str], processes: dict[str, str]) -> Problem:
    rule, message = str(finding.get("rule")), str(finding.get("message"))
    element = finding.get("id") or None
    category = finding.get("category")
    if category == "rule-error":  # the rule itself failed on this model
        zh, severity = f"bpmnlint 规则 {rule} 运行出错：{message}", WARNING
    else:
        zh, severity = (
            RULES_ZH.get(rule, f"bpmnlint 规则 {rule}：{message}"),
            ERROR if category == "error" else WARNING,
        )
    return Problem(
        zh,
        message,
        process_id=processes.get(element or ""),
        element_id=element,
        file=file,
        severity=severity,
        rule=f"bpmnlint:{rule}",
    )


def _unavailable(zh: str, en: str) -> Problem:
    return Problem(zh, en, severity=WARNING, rule="bpmnlint")


def _processes(text: str) -> dict[str, str] | None:
    """Each element id of a BPMN document with its process id; None when our parse refuses the file."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text or len(text) > MAX_FILE_BYTES:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(as_utf8_xml(text), parser=parser)
    except (etree.XMLSyntaxError, ValueError):  # not XML, or not even text (a lone surrogate)
        return None
    found = {}
    for process in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
        process_id = process.get("id") or ""
        for node in process.iter():
            if isinstance(node.tag, str) and node.get("id"):
                found[node.get("id")] = process_id
    return found
