"""Start from the web: a recruitment campaign (named; the service gives its business key) and a month's
appraisal (an admin or the sub-bureau's head starts or re-runs it), and the tools each person's roles open
on the home page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from service.usecases import (
    appraisal,
    campaign_start,
    dashboards,
    definition_catalogue,
    incident_board,
    roster,
)
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError, ServiceError
from service.web import bp, context, current_user, language, login_required, refusal, user
from service.web.display import in_brackets, list_separator
from service.web.forms import build_fields, parse_submission
from workflows.ports import CHINA


def _form_title(schema: dict[str, Any], key: str) -> str:
    english = schema.get(f"x-{key}-en") if language() == "en" else None
    return str(english or schema.get(key) or "")


def _campaign_page(
    schema: dict[str, Any], values: dict[str, Any], errors: dict[str, Any], **extra: Any
) -> str:
    fields = build_fields(schema, language(), values, errors)
    return render_template(
        "start_campaign.html",
        title=_form_title(schema, "title"),
        description=_form_title(schema, "description"),
        fields=fields,
        **extra,
    )


@bp.get("/campaigns/start")
@login_required
def start_campaign_page() -> Any:
    try:
        schema = campaign_start.campaign_start_form(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _campaign_page(schema, {}, {})


@bp.post("/campaigns/start")
@login_required
def start_campaign() -> Any:
    try:
        schema = campaign_start.campaign_start_form(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    # A name typed with spaces around it is that name; one of spaces only is no name (required: 422).
    posted = parse_submission(schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value != ""}
    try:
        started = campaign_start.start_campaign(context(), user(), data)
    except ServiceError as error:
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        if isinstance(error, ForbiddenError | NotFoundError):
            return render_template("error.html", message=refusal(error)), error.status
        return _campaign_page(schema, data, errors, message=refusal(error)), error.status
    flash(_campaign_started_message(started))
    mine = [task for task in started.next_tasks if task["for_caller"]]
    if mine:
        return redirect(url_for("web.task", task_id=mine[0]["id"]))
    return redirect(url_for("web.instance", instance_id=started.instance_id))


def _campaign_started_message(started: campaign_start.StartedCampaign) -> str:
    """What was started and what happens next: the tasks it opened, by name and department."""
    en = language() == "en"
    done = _("已启动招聘批次“%(name)s”（业务编号 %(key)s）", name=started.name, key=started.business_key)
    following = [
        f"{task['name_en' if en else 'name_zh']}{in_brackets(_dept(task, en))}" for task in started.next_tasks
    ]
    if following:
        after = _("下一步：%(tasks)s", tasks=list_separator().join(following))
    else:
        after = _("流程在等待其他环节。")
    return f"{done}{'. ' if en else '。'}{after}"


def _dept(task: dict[str, Any], en: bool) -> str:
    name = task["department"]
    return name.in_language("en" if en else "zh") if name is not None else str(task["department_code"])


def _this_month() -> str:
    """This month in Beijing time, on the service's clock."""
    return f"{context().clock.now().astimezone(CHINA):%Y-%m}"


def _month_page(month: str, result: dict[str, int] | None = None, message: str = "", error: str = "") -> str:
    return render_template(
        "start_month.html",
        month=month,
        result=result,
        message=message,
        error=error,
        start_day=context().settings.appraisal_start_day,
    )


@bp.get("/appraisals/months/start")
@login_required
def start_month_page() -> Any:
    if not appraisal.may_start_months(user()):
        return _month_refusal()
    return _month_page(request.args.get("month") or _this_month())


@bp.post("/appraisals/months/start")
@login_required
def start_month() -> Any:
    month = request.form.get("month", "").strip()
    try:
        result = appraisal.start_month_by(context(), user(), month)
    except ForbiddenError:
        return _month_refusal()
    except ServiceError as error:
        field_errors = (error.errors or {}).get("month") if isinstance(error, InvalidInputError) else None
        shown = field_errors[1 if language() == "en" else 0] if field_errors else refusal(error)
        return _month_page(month, error=shown), error.status
    flash(
        _(
            "%(month)s 考核：本次启动 %(started)s 份，此前已有 %(existing)s 份（在岗辅警 %(officers)s 名）",
            month=month,
            started=result["started"],
            existing=result["existing"],
            officers=result["officers"],
        )
    )
    if result["on_injury_leave"]:
        flash(
            _(
                "其中 %(count)s 名辅警整月工伤休假，本月不考核：%(names)s",
                count=result["on_injury_leave"],
                names="、".join(o["name"] for o in result["on_injury_leave_officers"]),
            )
        )
    return redirect(url_for("web.start_month_page", month=month))


def _month_refusal() -> tuple[str, int]:
    message = _("只有系统管理员或公安分局负责人可以启动或补启月度考核")
    return render_template("error.html", message=message), 403


@bp.app_context_processor
def _home_tools() -> dict[str, Any]:
    def home_tools() -> list[dict[str, str]]:
        """The pages the signed-in person's roles and departments open, for the home page."""
        caller = current_user() if session.get("user_id") else None
        if caller is None:
            return []
        tools = []

        def add(tool_id: str, endpoint: str, label: str, help_text: str) -> None:
            tools.append({"id": tool_id, "url": url_for(endpoint), "label": label, "help": help_text})

        if campaign_start.may_start_campaign(context(), caller):
            add(
                "tool-start-campaign",
                "web.start_campaign_page",
                _("启动招聘"),
                _("填写批次名称，启动新一批辅警招聘"),
            )
        if appraisal.may_start_months(caller):
            add(
                "tool-start-month",
                "web.start_month_page",
                _("启动月度考核"),
                _("为在岗辅警启动或补启某月考核（已启动的不会重复）"),
            )
        if dashboards.can_read_campaigns(caller):
            add("tool-campaigns", "web.campaigns_dashboard", _("招聘看板"), _("各批次招聘的进度与结果"))
        towns = dashboards.appraisal_towns(caller)
        if towns is None or towns:
            add("tool-appraisal", "web.appraisal_dashboard", _("考核看板"), _("各月考核的进度与等次"))
        if roster.can_read_roster(caller):
            add("tool-roster", "web.roster_page", _("辅警名册"), _("在岗辅警及其合同、考核与去向"))
        if caller.in_department("police_bureau"):
            add("tool-excel", "web.excel_home", _("Excel 导入"), _("下载模板，用 Excel 批量登记报名人员"))
        if caller.has_role("auditor"):
            add("tool-audit", "web.audit_search", _("审计查询"), _("按人员、流程、时间查询审计记录并导出"))
            add("tool-audit-chain", "web.audit_chain", _("审计链校验"), _("核对审计记录是否被篡改"))
        if incident_board.can_handle_incidents(caller):
            add("tool-incidents", "web.incident_list", _("异常事件"), _("流程运行中出现的异常及其处理"))
        if definition_catalogue.may_read(caller):
            add(
                "tool-definitions",
                "web.definitions_page",
                _("流程定义"),
                _("各流程的版本、发布人与运行中的实例"),
            )
        if caller.has_role("admin"):
            add("tool-admin", "web.admin_home", _("系统管理"), _("用户、部门与村（社区）名册"))
        return tools

    return {"home_tools": home_tools}
