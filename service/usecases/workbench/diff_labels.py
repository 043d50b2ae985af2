"""What the comparison of two versions calls things, in Chinese and English (issue 14, point 4): element
kinds, the attributes that changed, the statuses. An attribute without a label here is shown by its key."""

from __future__ import annotations

from service.usecases.names import Name
from workflows import extensions

STATUS = {
    "added": Name("新增", "Added"),
    "removed": Name("删除", "Removed"),
    "changed": Name("修改", "Changed"),
}

KINDS = {
    "userTask": Name("用户任务", "User task"),
    "serviceTask": Name("服务任务", "Service task"),
    "businessRuleTask": Name("决策任务", "Business rule task"),
    "scriptTask": Name("脚本任务", "Script task"),
    "manualTask": Name("人工任务", "Manual task"),
    "sendTask": Name("发送任务", "Send task"),
    "receiveTask": Name("接收任务", "Receive task"),
    "task": Name("任务", "Task"),
    "startEvent": Name("开始事件", "Start event"),
    "endEvent": Name("结束事件", "End event"),
    "intermediateCatchEvent": Name("中间捕获事件", "Intermediate catch event"),
    "intermediateThrowEvent": Name("中间抛出事件", "Intermediate throw event"),
    "boundaryEvent": Name("边界事件", "Boundary event"),
    "exclusiveGateway": Name("排他网关", "Exclusive gateway"),
    "parallelGateway": Name("并行网关", "Parallel gateway"),
    "inclusiveGateway": Name("包容网关", "Inclusive gateway"),
    "eventBasedGateway": Name("事件网关", "Event-based gateway"),
    "sequenceFlow": Name("顺序流", "Sequence flow"),
    "lane": Name("泳道", "Lane"),
    "subProcess": Name("子流程", "Subprocess"),
    "callActivity": Name("调用活动", "Call activity"),
}

ATTRIBUTES = {
    "name": Name("名称", "Name"),
    "type": Name("类型", "Type"),
    "lane": Name("泳道（部门）", "Lane (department)"),
    "incoming": Name("来自", "Comes from"),
    "outgoing": Name("流向", "Goes to"),
    "source": Name("起点", "From"),
    "target": Name("终点", "To"),
    "default": Name("默认流向", "Default flow"),
    "condition": Name("条件表达式", "Condition"),
    "timer": Name("定时器表达式", "Timer expression"),
    "event": Name("事件类型", "Event kind"),
    "script": Name("脚本", "Script"),
    "loop": Name("多实例设置", "Multi-instance"),
    "attachedTo": Name("附着于", "Attached to"),
    "cancelActivity": Name("中断任务", "Interrupting"),
    "calledElement": Name("调用的流程", "Called process"),
    f"property:{extensions.FORM_KEY}": Name("表单", "Form"),
    f"property:{extensions.ENGLISH_NAME_KEY}": Name("英文名称", "English name"),
    f"property:{extensions.DUE_IN_DAYS_KEY}": Name("办理期限（天）", "Due in days"),
    f"property:{extensions.DUE_AT_VARIABLE_KEY}": Name("办理期限取自", "Due date from"),
    f"property:{extensions.HEAD_ONLY_KEY}": Name("仅限部门负责人", "Head only"),
    f"property:{extensions.SEPARATE_FROM_KEY}": Name("不得与其由同一人办理的任务", "Separate from"),
    f"property:{extensions.NOT_SUBJECT_KEY}": Name("当事人不得办理", "Not by the subject"),
    f"property:{extensions.FORM_DEFAULTS_KEY}": Name("表单初始值", "Form defaults"),
    f"property:{extensions.GROUNDS_KEY}": Name("表单旁的依据", "Grounds beside the form"),
    f"property:{extensions.MOVES_DUE_DATE_KEY}": Name("调整期限", "Moves due date"),
    f"property:{extensions.MAY_END_EARLY_KEY}": Name("可提前结束", "May end early"),
    f"property:{extensions.DUE_DAY_OF_NEXT_MONTH_KEY}": Name("次月截止日", "Due day of the next month"),
    f"property:{extensions.ON_BEHALF_BY_KEY}": Name("可代为录入的部门", "Entered for them by"),
    f"property:{extensions.ON_BEHALF_ATTACHMENT_KEY}": Name("代为录入须上传", "File if entered for them"),
    f"property:{extensions.STARTED_BY_KEY}": Name("启动方式", "Started by"),
    "extension:serviceTaskOperator": Name("服务操作", "Operator"),
    "extension:calledDecisionId": Name("决策表", "Decision table"),
    "extension:preScript": Name("前置脚本", "Pre-script"),
    "extension:postScript": Name("后置脚本", "Post-script"),
    "extension:instructionsForEndUser": Name("办理说明", "Instructions"),
    # Decision tables
    "hitPolicy": Name("命中策略", "Hit policy"),
    "columns": Name("列", "Columns"),
    "description": Name("说明", "Description"),
    # Form fields and data labels
    "title": Name("中文标题", "Chinese title"),
    "x-title-en": Name("英文标题", "English title"),
    "x-description-en": Name("英文说明", "English description"),
    "required": Name("必填", "Required"),
    "enum": Name("可选值", "Allowed values"),
    "x-enum-labels": Name("可选值名称", "Value labels"),
    "minimum": Name("最小值", "Minimum"),
    "maximum": Name("最大值", "Maximum"),
    "format": Name("格式", "Format"),
    "$ref": Name("引用", "Reference"),
    "x-kind": Name("显示方式", "Shown as"),
    "x-written-by": Name("写入方", "Written by"),
    "x-hidden": Name("隐藏", "Hidden"),
    "x-key-kind": Name("键的含义", "Keys are"),
    "structure": Name("结构", "Structure"),
}

# Attributes whose values are ids of elements of the same process (shown by the elements' names).
ELEMENT_REFERENCES = ("incoming", "outgoing", "source", "target", "default", "attachedTo")
# Attributes whose value is true/false (shown as 是/否).
YES_NO = (f"property:{extensions.HEAD_ONLY_KEY}", f"property:{extensions.MAY_END_EARLY_KEY}", "required")
FORM_REFERENCE = f"property:{extensions.FORM_KEY}"
# A form field's JSON Schema type, as the form editor names it.
FIELD_TYPES = {
    "string": Name("文本", "Text"),
    "integer": Name("整数", "Whole number"),
    "number": Name("数字", "Number"),
    "boolean": Name("是/否", "Yes/no"),
    "array": Name("列表", "List"),
    "object": Name("一组字段", "Group of fields"),
}
ENGLISH_NAME = f"property:{extensions.ENGLISH_NAME_KEY}"


def kind_label(kind: str) -> Name:
    return KINDS.get(kind, Name(kind, kind))


def attribute_label(attribute: str) -> Name:
    if attribute in ATTRIBUTES:
        return ATTRIBUTES[attribute]
    prefix, _, key = attribute.partition(":")
    if prefix == "property":
        return Name(f"扩展属性 {key}", f"Property {key}")
    if prefix == "extension":
        return Name(f"扩展元素 {key}", f"Extension {key}")
    if prefix == "in":
        return Name(f"条件：{key}", f"Input: {key}")
    if prefix == "out":
        return Name(f"结果：{key}", f"Output: {key}")
    return Name(attribute, attribute)
