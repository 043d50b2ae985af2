"""SpiffWorkflow's validation errors as problems a designer can act on: each names its file, its line when
known (XSD errors) and its element, in Chinese and English; the ones with a clear fix in this service say it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from workflows.extensions import SERVICE_OPERATOR_ELEMENT
from workflows.problems import Problem

_NO_OPERATOR = "A Service Task must have an operator"

# SpiffWorkflow's messages (start of the text) and what they say in Chinese, with the fix where it is clear.
_KNOWN: tuple[tuple[str, str], ...] = (
    (
        "Unknown Time Specification",
        "定时器没有表达式：请给定时器写 timeDate、timeDuration 或 timeCycle 表达式",
    ),
    ("Time Specification Error", "定时器表达式有误：请写 timeDate、timeDuration 或 timeCycle 表达式"),
    ("Invalid Script Task", "脚本任务没有脚本：请填写脚本，或删去该任务"),
    ("Non-default exclusive outgoing sequence flow without condition", "排他网关的非默认出口没有条件"),
    ("Multiple outgoing flows are not supported", "此类任务不能有多条出口顺序流，请用网关分支"),
    ("A multiinstance task must specify a cardinality", "多实例任务须指定实例数（cardinality）或集合"),
    ("A loopMaximum or loopCondition must be specified", "循环任务须指定最大次数或循环条件"),
    ("A SubWorkflow Must contain an End event", "子流程中须有结束事件"),
    ("Exactly one start event is required in a SubWorkflow", "子流程须恰有一个开始事件"),
    ("No start event found", "流程没有开始事件"),
    ("No DMN Diagram available with id", "业务规则任务引用的决策表不在流程定义包中"),
    ("No decisions found", "DMN 文件中没有决策表"),
    ("Multiple decision tables are not current supported", "一个 DMN 决策中只能有一张决策表"),
    ("Duplicate process ID", "流程 id 重复"),
    ("Conditional event definition with missing condition", "条件事件缺少条件"),
    ("Cannot resolve dataInputAssociation", "找不到数据输入关联所指的数据对象"),
    ("Cannot resolve dataOutputAssociation", "找不到数据输出关联所指的数据对象"),
    ("Message identifier is missing", "消息缺少标识"),
    ("Signal identifier is missing", "信号缺少标识"),
    ("Error identifier is missing", "错误事件缺少标识"),
    ("Escalation identifier is missing", "升级事件缺少标识"),
    ("There is no support implemented for this task type", "不支持此类任务"),
    ("Cancel Events may only be used with transactions", "取消事件只能用于事务子流程"),
)
_XSD = re.compile(
    r"^Element '|^The element|is not (a )?valid|is not accepted by the pattern|Missing child element"
)


def validation_problem(
    error: ValidationException, file_name: str, known_operators: Iterable[str] | None
) -> Problem:
    """``error`` as a problem on its file, line and element (``file:line:element: message``)."""
    where = getattr(error, "file_name", "") or file_name or None
    line = str(getattr(error, "line_number", "") or "")
    element = getattr(error, "id", "") or None
    message = str(error).rstrip(". ")

    def problem(zh: str, en: str) -> Problem:
        return Problem(
            zh,
            en,
            file=where,
            line=int(line) if line.isdigit() else None,
            element_id=element,
            rule="parse",
        )

    if message.startswith(_NO_OPERATOR):
        operators = ", ".join(sorted(known_operators)) if known_operators is not None else ""
        choice_zh = f"（可用：{operators}）" if operators else ""
        choice_en = f" (registered: {operators})" if operators else ""
        return problem(
            f"服务任务未指定操作，请用 {SERVICE_OPERATOR_ELEMENT} 的 id 写一个已登记的操作{choice_zh}",
            f"service task names no operator: give it {SERVICE_OPERATOR_ELEMENT} with id set to a"
            f" registered operator{choice_en}",
        )
    for start, zh in _KNOWN:
        if start in message:
            return problem(zh, message)
    if _XSD.search(message):
        return problem(f"不符合 BPMN 2.0 规范（XSD 校验）：{message}", message)
    return problem(f"BPMN 解析未通过：{message}", message)
