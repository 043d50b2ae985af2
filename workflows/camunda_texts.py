"""What the import of a Camunda, Flowable or Activiti model says, in Chinese and English (issue 14, point 6):
each mapping and each problem with its fix, as ``{name}`` templates (workflows.camunda_mapping)."""

from __future__ import annotations

from typing import Any

from workflows.extensions import FORM_KEY, SERVICE_OPERATOR_ELEMENT, STARTED_BY_KEY

CONFIRM_FORM = "confirm_done.json"
# The form of a manual task made a user task: nothing to fill in but an optional note.
CONFIRM_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "确认已办理",
    "x-title-en": "Confirm it is done",
    "description": "线下办理完成后提交即可；如有需要可填写备注。",
    "x-description-en": "Submit once it is done offline; add a note if needed.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "done_note": {"title": "备注", "x-title-en": "Note", "type": "string", "maxLength": 2000},
    },
}
# Settings of the Camunda engine with no meaning here (jobs, history, tasklist, versions): taken out.
TECHNICAL = frozenset(
    "asyncBefore asyncAfter exclusive jobPriority taskPriority historyTimeToLive versionTag"
    " isStartableInTasklist priority followUpDate initiator calledElementBinding calledElementVersion"
    " calledElementVersionTag calledElementTenantId decisionRefBinding decisionRefVersion"
    " decisionRefVersionTag decisionRefTenantId formKeyBinding formRefBinding formRefVersion"
    " mapDecisionResult inputVariable async skipExpression formFieldValidation category"
    " failedJobRetryTimeCycle".split()
)
OPERATOR_KEYS = frozenset({"class", "delegateExpression", "expression", "type", "topic"})

_TO_LANE = (
    "任务派给部门而非个人：请把任务放在部门泳道中",
    "tasks go to departments, not people: put it in a department's lane",
)
_LISTENER = (
    "本服务不执行监听器，请改为脚本任务或服务任务",
    "listeners are not run here: use a script task or a service task",
)
_CALL_DATA = (
    "调用活动把全部流程数据传给被调用流程",
    "a call activity passes all the process data to the called process",
)
# The fix for a vendor attribute or element taken out, by its name.
FIXES = {
    "assignee": _TO_LANE,
    "candidateUsers": _TO_LANE,
    "candidateStarterUsers": (
        f"流程由部门启动：请用 {STARTED_BY_KEY} = departments:<部门代码>",
        f"processes are started by departments: use {STARTED_BY_KEY} = departments:<code>",
    ),
    "resultVariable": (
        "决策的结果按输出名写入任务数据，请按输出名读取",
        "a decision's outputs are written to the task data by their names: read them by those names",
    ),
    "dueDate": (
        "请用属性 dueInDays（天数）或 dueAtVariable 设定期限",
        "set the due date with the property dueInDays (days) or dueAtVariable",
    ),
    "inputOutput": (
        "本服务的任务直接读写流程数据，请在脚本任务中准备所需数据",
        "tasks here read and write the process data directly: prepare data in a script task",
    ),
    "executionListener": _LISTENER,
    "taskListener": _LISTENER,
    "in": _CALL_DATA,
    "out": _CALL_DATA,
    "formData": (
        f"请把表单写成 JSON Schema 表单文件（.json）并用 {FORM_KEY} 指定",
        f"write the form as a JSON Schema form file (.json) and name it with {FORM_KEY}",
    ),
}
GENERIC_FIX = ("本服务不读取，请按 SpiffWorkflow 的方式写", "not read here: write it the SpiffWorkflow way")

TEXTS = {
    "technical": (
        "已删除 Camunda 引擎设置 {name}（本服务无此含义）",
        "removed the Camunda engine setting {name} (no meaning here)",
    ),
    "removed_attribute": ("已删除 {name}=“{value}”：{fix_zh}", "removed {name}={value!r}: {fix_en}"),
    "removed_element": ("已删除 {name}：{fix_zh}", "removed {name}: {fix_en}"),
    "operator": (
        f"已删除 {{name}}=“{{value}}”：请改为 {SERVICE_OPERATOR_ELEMENT}，写一个已登记的操作（{{ops_zh}}）",
        f"removed {{name}}={{value!r}}: use {SERVICE_OPERATOR_ELEMENT} with a registered operator"
        " ({ops_en})",
    ),
    "manual": (
        "手工任务改为用户任务，表单为确认表单 {form}（只有备注）",
        "the manual task became a user task with the confirmation form {form} (a note only)",
    ),
    "property": (
        "扩展属性 {name} 改为 spiffworkflow:property",
        "the extension property {name} became a spiffworkflow:property",
    ),
    "decision": (
        "决策引用 {value} 改为 spiffworkflow:calledDecisionId",
        "decisionRef {value} became spiffworkflow:calledDecisionId",
    ),
    "due": ("期限 {value} 改为 dueInDays = {days}", "the due date {value} became dueInDays = {days}"),
    "group": (
        "候选组 {value} 改为泳道 {code}（{dept_zh}）",
        "candidate group {value} became the lane {code} ({dept_en})",
    ),
    "group_unknown": (
        "候选组“{value}”不是已登记的部门：请把任务放在一个部门的泳道中（可用：{valid_zh}）",
        "candidate groups {value!r}: not a registered department; put the task in one department's lane"
        " (valid: {valid_en})",
    ),
    "group_many": (
        "候选组“{value}”有多个部门，一个任务只能派给一个部门：请把任务放在其中一个部门的泳道中",
        "candidate groups {value!r}: a task goes to one department; put it in one of their lanes",
    ),
    "form": (
        f"表单 {{value}} 改为 {FORM_KEY} = {{form}}",
        f"the form key {{value}} became {FORM_KEY} = {{form}}",
    ),
    "form_missing": (
        f"表单 {{value}} 不在上传的文件中：请添加 JSON Schema 表单 {{stem}}.json 并用 {FORM_KEY} 指定",
        f"the form {{value}} is not among the uploaded files: add the JSON Schema form {{stem}}.json and"
        f" name it with {FORM_KEY}",
    ),
    "form_data": (
        f"生成的表单字段（camunda:formData：{{fields}}）改为 JSON Schema 表单 {{form}}，"
        f"{FORM_KEY} = {{form}}",
        f"the generated form fields (camunda:formData: {{fields}}) became the JSON Schema form {{form}},"
        f" {FORM_KEY} = {{form}}",
    ),
    "camunda_form": (
        "Camunda 表单 {value} 改为 JSON Schema 表单 {form}（字段：{fields}）",
        "the Camunda form {value} became the JSON Schema form {form} (fields: {fields})",
    ),
    "form_titles": (
        "表单 {form} 的英文标题暂用字段的标签：请在表单编辑器中写英文标题",
        "the English titles of the form {form} are the fields' labels for now: write them in the form editor",
    ),
    "form_dropped": (
        "表单 {form} 未保留：{dropped}（表单打开时为空，默认值请用 formDefaults）",
        "not kept in the form {form}: {dropped} (forms open empty; use formDefaults for a default)",
    ),
    "loop": ("多实例 {name} 改为 {tag} {value}", "multi-instance {name} became {tag} {value}"),
    "loop_expression": (
        "多实例集合 {value} 不是数据名：请先用脚本任务算出集合，再填 loopDataInputRef",
        "multi-instance {name} {value!r} is not a data name: compute it in a script task first, then name it"
        " in loopDataInputRef",
    ),
    "timer": ("定时器 {value} 改为表达式 {rewritten}", "the timer {value} became the expression {rewritten}"),
    "timer_expression": (
        "定时器表达式 {value} 须改为 Python 表达式",
        "the timer expression {value} must be a Python expression",
    ),
    "condition": (
        "条件 {value} 改为 Python 表达式 {rewritten}",
        "the condition {value} became the Python expression {rewritten}",
    ),
    "condition_expression": (
        "条件 {value} 须改为 Python 表达式",
        "the condition {value} must be a Python expression",
    ),
    "feel": ("决策表条件 {value} 改为 {rewritten}", "the decision table test {value} became {rewritten}"),
    "feel_unsupported": (
        "决策表条件 {value} 使用了无法转换的 FEEL：请改写为 Python 表达式（? 代表输入值，如 1 <= ? <= 5）",
        "the decision table test {value} uses FEEL that cannot be converted: write it as a Python expression"
        " (? stands for the input, e.g. 1 <= ? <= 5)",
    ),
    "script": (
        "脚本语言 {value} 不可用：脚本须为 Python（受限环境）",
        "script language {value}: scripts are Python here (restricted environment)",
    ),
    "lanes": (
        "按候选组建立泳道：{codes_zh}（其他元素放在相邻元素的泳道中）",
        "lanes from the candidate groups: {codes_en} (the other elements in a neighbour's lane)",
    ),
    "lane_renamed": (
        "泳道 {value} 改为部门代码 {code}",
        "the lane {value} became the department code {code}",
    ),
    "lane_differs": (
        "候选组为 {code}，但任务在泳道 {lane} 中：请把它移到 {code} 的泳道",
        "candidate group {code}, but the task lies in the lane {lane}: move it to {code}'s lane",
    ),
    "starters": (
        f"可启动的组改为 {STARTED_BY_KEY} = departments:{{codes}}",
        f"the candidate starter groups became {STARTED_BY_KEY} = departments:{{codes}}",
    ),
    "start_missing": (
        f"开始事件未声明由谁启动：请添加属性 {STARTED_BY_KEY}，如 departments:{{lane}}（同时用 {FORM_KEY}"
        " 指定启动表单）、heads:{lane}、usecase:<用例> 或 callActivity",
        f"the start event does not say who starts the process: add the property {STARTED_BY_KEY}, e.g."
        f" departments:{{lane}} (with a start form in {FORM_KEY}), heads:{{lane}}, usecase:<name> or"
        " callActivity",
    ),
}


def say(key: str, **values: Any) -> tuple[str, str]:
    """The Chinese and English text of ``key`` with ``values`` filled in."""
    zh, en = TEXTS[key]
    return zh.format(**values), en.format(**values)
