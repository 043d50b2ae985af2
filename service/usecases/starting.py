"""Who may start what: the start rule a process declares (``startedBy``, workflows/specs.py), applied.

A service process (applicant screening, post hiring, the monthly appraisal) is started by its use case
only, with data the service prepares; a process open to departments is started through
``POST /api/v1/instances`` with start data validated against its start form. Either way no data key may
shadow a name of the script sandbox (workflows/data_keys.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError
from service.usecases.names import Name
from service.usecases.submissions import check_submission
from workflows.data_keys import reserved_key_errors
from workflows.extensions import StartRule
from workflows.specs import ProcessSpecs

# The use cases that start processes, by the name a model gives in `startedBy="usecase:<name>"`, each
# with the refusal an API start of its process gets: it says where that process is started instead.
START_USE_CASES: dict[str, Callable[[], ForbiddenError]] = {
    "register_application": lambda: ForbiddenError(
        "资格审查随报名登记自动启动，不能通过 POST /api/v1/instances 启动：请登记报名"
        "（POST /api/v1/campaigns/<招聘批次>/applications，或网页“Excel 导入”）"
    ),
    "start_post_hiring": lambda: ForbiddenError(
        "岗位录用流程由招聘流程在排名完成后按批准的用人计划逐岗启动，不能通过 POST /api/v1/instances 启动："
        "请在招聘流程中录入考试成绩"
    ),
    "start_contract_renewal": lambda: ForbiddenError(
        "劳动合同续签流程由定时任务在合同期满前自动发起，不能通过 POST /api/v1/instances 启动"
    ),
    "start_reward_decision": lambda: ForbiddenError(
        "奖励决定流程由月度考核的奖励提名自动发起，不能通过 POST /api/v1/instances 启动："
        "请在月度考核中办理“奖励提名”"
    ),
    "enrol_training_cohort": lambda: ForbiddenError(
        "参训记录由培训计划按参训范围逐人建立，不能通过 POST /api/v1/instances 启动：请制定培训计划"
    ),
    "report_work_injury": lambda: ForbiddenError(
        "工伤处理流程由派出所在辅警页面“报告因公受伤”发起（POST /api/v1/officers/<辅警编号>/work-injuries），"
        "不能通过 POST /api/v1/instances 启动"
    ),
    "report_death_on_duty": lambda: ForbiddenError(
        "因公牺牲流程由派出所在辅警页面“报告因公牺牲”发起（POST /api/v1/officers/<辅警编号>/deaths），"
        "不能通过 POST /api/v1/instances 启动"
    ),
    "start_month": lambda: ForbiddenError(
        "月度考核按月为每名在岗辅警批量启动，不能通过 POST /api/v1/instances 启动：请使用"
        " POST /api/v1/appraisals/months 或命令 auxpolice appraisal start-month"
    ),
}


def refuse_reserved_keys(data: Mapping[str, Any]) -> None:
    """Refuse (422, naming each key) data whose top-level keys would shadow the sandbox's names."""
    errors = reserved_key_errors(data)
    if errors:
        raise InvalidInputError(
            "数据项名称与脚本环境的保留名称冲突：{keys}",
            errors={e.field: [e.message, e.message_en] for e in errors},
            keys=", ".join(e.field for e in errors),
        )


def check_start(specs: ProcessSpecs, process_id: str, use_case: str | None, data: Mapping[str, Any]) -> None:
    """Refuse a start the process's model does not allow: by ``use_case``, or by the API when None.

    Every start passes here (the runner's and the month's batch start), so a use case that names the
    wrong process, or a model that does not declare its start, is refused as well as an API caller.
    """
    rule = specs.start_rules.get(process_id)
    allowed = rule is not None and (rule.use_case == use_case if use_case else bool(rule.departments))
    if not allowed:
        raise ForbiddenError(
            "流程“{process_id}”不允许由“{starter}”启动（模型声明的启动方式：{declared}）",
            process_id=process_id,
            starter=use_case or "POST /api/v1/instances",
            declared=rule.declared if rule is not None else "—",
        )
    refuse_reserved_keys(data)


def may_start(rule: StartRule | None, caller: Caller) -> bool:
    """Whether ``caller`` may start a process with ``rule`` in person (the API or the web): a member of
    one of its departments, or their head when the model says ``heads:``."""
    if rule is None or not rule.departments:
        return False
    if rule.heads_only:
        return any(caller.heads(code) for code in rule.departments)
    return any(caller.in_department(code) for code in rule.departments)


def check_api_start(
    specs: ProcessSpecs,
    process_id: str,
    caller: Caller,
    data: Mapping[str, Any],
    departments: Mapping[str, Name] | None = None,
) -> None:
    """Refuse a start in person (API or web) unless the process is open to the caller (``may_start``)
    and ``data`` satisfies its start form (the same validation as a task form: 422 with the field errors).

    ``departments`` names the departments in the refusal (their codes where a name is missing)."""
    rule = specs.start_rules.get(process_id)
    if rule is None:
        raise ForbiddenError(
            "流程“{process_id}”未声明启动方式，不能通过 POST /api/v1/instances 启动", process_id=process_id
        )
    if not rule.departments:
        refusal = START_USE_CASES.get(rule.use_case or "")
        if refusal is not None:
            raise refusal()
        raise ForbiddenError(
            "流程“{process_id}”不能通过 POST /api/v1/instances 启动（模型声明的启动方式：{declared}）",
            process_id=process_id,
            declared=rule.declared,
        )
    check_starter(specs, process_id, rule, caller, departments or {})
    refuse_reserved_keys(data)
    # The lint guarantees that a start by departments names a start form of the bundle.
    check_submission(specs.forms, str(rule.form), data)


def check_starter(
    specs: ProcessSpecs, process_id: str, rule: StartRule, caller: Caller, departments: Mapping[str, Name]
) -> None:
    """Refuse (403, by names, in both languages) a person the model does not let start the process."""
    if not may_start(rule, caller):
        raise _not_starter(specs, process_id, rule, departments)


def _not_starter(
    specs: ProcessSpecs, process_id: str, rule: StartRule, departments: Mapping[str, Name]
) -> ForbiddenError:
    zh = "、".join(departments[c].zh if c in departments else c for c in rule.departments)
    en = ", ".join(departments[c].en if c in departments else c for c in rule.departments)
    process_zh = specs.process_names.get(process_id, process_id)
    process_en = specs.process_names_en.get(process_id, process_zh)
    if rule.heads_only:
        return ForbiddenError(
            "只有{departments}的负责人可以启动“{process}”",
            english=f"Only the head of {en} may start “{process_en}”",
            departments=zh,
            process=process_zh,
        )
    return ForbiddenError(
        "只有{departments}的人员可以启动“{process}”",
        english=f"Only members of {en} may start “{process_en}”",
        departments=zh,
        process=process_zh,
    )
