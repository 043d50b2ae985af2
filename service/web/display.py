"""Display helpers shared by the instance, audit and dashboard pages: Beijing time and translated labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from flask import g
from flask_babel import gettext, lazy_gettext

from service.usecases import names
from service.usecases.directory import is_personal_queue
from service.usecases.grounds.building import deadline_date
from service.usecases.subjects import english_subject
from service.web import bp, context, language
from workflows.ports import CHINA

ACTION_LABELS = {
    "instance_started": lazy_gettext("启动流程"),
    "appraisal_month_started": lazy_gettext("启动月度考核"),
    "instance_completed": lazy_gettext("流程结束"),
    "task_ready": lazy_gettext("生成待办"),
    "task_claimed": lazy_gettext("认领任务"),
    "task_released": lazy_gettext("释放任务"),
    "task_completed": lazy_gettext("办结任务"),
    "task_cancelled": lazy_gettext("任务取消"),
    "task_reassigned": lazy_gettext("改派任务"),
    "task_taken_on_behalf": lazy_gettext("接办本人事项以代为录入"),
    "task_due_moved": lazy_gettext("调整任务期限"),
    "registration_closed_early": lazy_gettext("提前结束报名"),
    "registration_extended": lazy_gettext("延长报名"),
    "notice_extended": lazy_gettext("延长公示"),
    "notice_ended_early": lazy_gettext("提前结束公示"),
    "task_due_extended": lazy_gettext("延长任务期限"),
    "service_executed": lazy_gettext("执行服务任务"),
    "decision_executed": lazy_gettext("执行决策"),
    "gateway_executed": lazy_gettext("网关分支"),
    "timer_executed": lazy_gettext("定时器触发"),
    "compaction_executed": lazy_gettext("压缩历史任务"),
    "post_vacant": lazy_gettext("岗位空缺"),
    "action_refused": lazy_gettext("操作被拒绝"),
    "definition_deployed": lazy_gettext("部署流程定义"),
    "definition_retired": lazy_gettext("停用流程定义"),
    "draft_created": lazy_gettext("新建流程草稿"),
    "draft_file_saved": lazy_gettext("保存流程草稿文件"),
    "draft_deleted": lazy_gettext("删除流程草稿"),
    "draft_published": lazy_gettext("发布流程草稿"),
    "sandbox_run_started": lazy_gettext("试运行流程草稿"),
    "draft_scenario_saved": lazy_gettext("保存试运行场景"),
    "draft_scenario_deleted": lazy_gettext("删除试运行场景"),
    "instance_migrated": lazy_gettext("迁移流程实例"),
    "instance_archived": lazy_gettext("归档流程实例"),
    "login": lazy_gettext("登录"),
    "login_failed": lazy_gettext("登录失败"),
    "login_locked": lazy_gettext("登录被锁定"),
    "login_throttled": lazy_gettext("登录尝试被限速"),
    "logout": lazy_gettext("退出登录"),
    "language_changed": lazy_gettext("切换语言"),
    "user_created": lazy_gettext("创建用户"),
    "user_updated": lazy_gettext("修改用户"),
    "department_created": lazy_gettext("创建部门"),
    "token_issued": lazy_gettext("签发令牌"),
    "token_revoked": lazy_gettext("吊销令牌"),
    "user_deactivated": lazy_gettext("停用用户"),
    "user_reactivated": lazy_gettext("重新启用用户"),
    "password_reset": lazy_gettext("重置密码"),
    "tokens_revoked": lazy_gettext("吊销全部令牌"),
    "department_renamed": lazy_gettext("部门更名"),
    "town_created": lazy_gettext("添加镇"),
    "town_renamed": lazy_gettext("镇更名"),
    "village_created": lazy_gettext("登记村（社区）"),
    "village_changed": lazy_gettext("变更村（社区）登记"),
    "officer_status_changed": lazy_gettext("变更辅警状态"),
    "contract_renewed": lazy_gettext("续签劳动合同"),
    "reward_recorded": lazy_gettext("登记奖励决定"),
    "dismissal_recorded": lazy_gettext("登记清退结果"),
    "duty_status_recorded": lazy_gettext("登记工伤状态"),
    "work_injury_recorded": lazy_gettext("登记工伤认定结论"),
    "work_injury_benefits_recorded": lazy_gettext("登记工伤待遇"),
    "death_on_duty_recorded": lazy_gettext("登记牺牲及抚恤结果"),
    "field_report_submitted": lazy_gettext("报送月度工作报告"),
    "field_report_returned": lazy_gettext("退回月度工作报告"),
    "field_report_confirmed": lazy_gettext("确认月度工作报告"),
    "comment_added": lazy_gettext("添加意见"),
    "attachment_added": lazy_gettext("上传附件"),
    "attachment_removed": lazy_gettext("删除附件"),
    "attachment_replaced": lazy_gettext("替换附件"),
}

STATE_LABELS = {
    # instances
    "running": lazy_gettext("运行中"),
    "completed": lazy_gettext("已完成"),
    "error": lazy_gettext("出错"),
    # human tasks
    "open": lazy_gettext("待认领"),
    "claimed": lazy_gettext("已认领"),
    "cancelled": lazy_gettext("已取消"),
}

APPLICATION_LABELS = {
    "submitted": lazy_gettext("已报名"),
    "eligible": lazy_gettext("资格审查通过"),
    "ineligible": lazy_gettext("资格审查未通过"),
    "ranked": lazy_gettext("已排名"),
    "absent": lazy_gettext("缺考或无成绩"),
    "vetting": lazy_gettext("考察政审中"),
    "vetting_failed": lazy_gettext("考察政审未通过"),
    "notice": lazy_gettext("公示中"),
    "hired": lazy_gettext("已录用"),
}

GRADE_LABELS = {
    "excellent": lazy_gettext("优秀"),
    "competent": lazy_gettext("称职"),
    "basically_competent": lazy_gettext("基本称职"),
    "incompetent": lazy_gettext("不称职"),
}


_BEIJING_TIME = lazy_gettext("北京时间")


@bp.app_template_filter("china_time")
def china_time(value: datetime | None, seconds: bool = True) -> str:
    """A stored (UTC) time as Beijing time, ``2026-11-28 09:30:00 北京时间``."""
    if value is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    # The zone is named on every time shown: stored times are UTC, people read Beijing time.
    return f"{value.astimezone(CHINA).strftime(fmt)} {_BEIJING_TIME}"


@bp.app_template_filter("deadline_day")
def deadline_day(value: datetime | None) -> str:
    """The Beijing day a deadline ends (``deadline_date``: the end of the 5th is the 5th)."""
    return "" if value is None else deadline_date(value).isoformat()


def label_of(labels: Mapping[str, Any], code: str) -> str:
    """A code's label in the page's language; a code without one is shown as it is."""
    label = labels.get(code)
    return str(label) if label is not None else code


@bp.app_template_filter("action_label")
def action_label(code: str) -> str:
    return label_of(ACTION_LABELS, code)


@bp.app_template_filter("state_label")
def state_label(code: str) -> str:
    return label_of(STATE_LABELS, code)


@bp.app_template_filter("json_text")
def json_text(value: Any, indent: bool = False) -> str:
    """JSON as people read it: Chinese kept as is, keys sorted, optionally indented."""
    option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, option=option, default=str).decode()


# Names in place of codes (service/usecases/names.py), looked up once per request: departments and
# processes are read whole, people and villages as the page asks for them.
def _request_names(kind: str) -> dict[str, names.Name]:
    cache: dict[str, dict[str, names.Name]] = g.setdefault("names", {})
    if kind not in cache:
        ctx = context()
        with ctx.database.reading() as session:
            if kind == "departments":
                cache[kind] = names.department_names(session)
            else:
                cache[kind] = names.process_names(ctx, session)
    return cache[kind]


def preload_post_villages(business_keys: Iterable[str]) -> None:
    """The villages of these posts' business keys, read in one query before a page names them all (the
    ``post_name`` filter otherwise asks for one village at a time: 147 queries on a campaign's page)."""
    known: dict[str, names.Name] = g.setdefault("names", {}).setdefault("villages", {})
    wanted = {found["village"] for key in business_keys if (found := _POST_KEY.match(key or ""))}
    wanted -= known.keys()
    if wanted:
        with context().database.reading() as session:
            known.update(names.village_names(session, wanted))


def _looked_up(kind: str, code: str) -> names.Name | None:
    cache: dict[str, dict[str, names.Name]] = g.setdefault("names", {})
    known = cache.setdefault(kind, {})
    if code not in known:
        with context().database.reading() as session:
            lookup = names.person_names if kind == "people" else names.village_names
            known.update(lookup(session, [code]))
    return known.get(code)


@bp.app_template_filter("person")
def person(username: str | None) -> str:
    """A user's display name (系统 for the service itself); the username only if no such user exists."""
    if not username:
        return ""
    name = _looked_up("people", username)
    return name.in_language(language()) if name else username


@bp.app_template_filter("department_name")
def department_name(code: str | None) -> str:
    if not code:
        return ""
    name = _request_names("departments").get(code)
    if name is None and is_personal_queue(code):  # an officer's own queue (their field report)
        return gettext("本人事项")
    return name.in_language(language()) if name else code


@bp.app_template_filter("process_name")
def process_name(process_id: str | None) -> str:
    if not process_id:
        return ""
    name = _request_names("processes").get(process_id)
    return name.in_language(language()) if name else process_id


@bp.app_template_filter("village_name")
def village_name(code: str | None) -> str:
    if not code:
        return ""
    name = _looked_up("villages", code)
    return name.in_language(language()) if name else code


# Punctuation in the page language: the Chinese text glues full-width marks, English pages need their own.
@bp.app_template_global("colon")
def colon() -> str:
    """The separator after a label: ``对象：`` in Chinese, ``Subject: `` in English."""
    return ": " if language() == "en" else "："


@bp.app_template_filter("in_brackets")
def in_brackets(text: Any) -> str:
    """An aside after a word: ``（张三）`` in Chinese, `` (Zhang San)`` in English."""
    return f" ({text})" if language() == "en" else f"（{text}）"


@bp.app_template_global("list_separator")
def list_separator() -> str:
    """Between the items of an inline list: ``、`` in Chinese, ``, `` in English."""
    return ", " if language() == "en" else "、"


# A task's subject is stored as Chinese text (service/usecases/subjects.py): English pages show it in English.
@bp.app_template_filter("subject_text")
def subject_text(subject: str | None) -> str:
    if not subject or language() != "en":
        return subject or ""
    cache: dict[str, dict[str, names.Name]] = g.setdefault("names", {})
    if "villages_by_zh" not in cache:
        with context().database.reading() as session:
            cache["villages_by_zh"] = names.villages_by_chinese_name(session)
    return english_subject(subject, cache["villages_by_zh"])


_POST_KEY = re.compile(r"^.+/(?P<village>[^/]+)/(?P<slot>\d+)$")


@bp.app_template_filter("post_name")
def post_name(business_key: str | None) -> str:
    """A post (a ``post_hiring`` business key, ``2026-recruitment/gs-v04/1``) as people name it: the
    village and the post, ``涝台村 第1岗`` / ``Laotai Village, post 1``."""
    found = _POST_KEY.match(business_key or "")
    if not found:
        return business_key or ""
    village = village_name(found["village"])
    if language() == "en":
        return f"{village}, post {found['slot']}"
    return f"{village} 第{found['slot']}岗"
