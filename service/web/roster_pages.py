"""The officer roster: the list with filters and pages, an officer's page, the head's status change, and the
referral of a dismissal from the officer's page."""

from __future__ import annotations

import io
import math
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from service.api.fields import id_or_none, page_or_first
from service.usecases import dashboards, dismissal_referral, payroll_lines, roster
from service.usecases.admin import officer_accounts
from service.usecases.appraisal_result_export import Column, rows_xlsx
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError, ServiceError
from service.usecases.officer_labels import FILTER_STATUSES, LEAVING_STATUSES, status_label
from service.usecases.roster.contracts import officer_contracts
from service.usecases.roster.listing import LEFT_IN_MONTH
from service.web import bp, context, current_user, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission
from workflows.ports import CHINA

PER_PAGE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _roster_link() -> dict[str, Any]:
    """``roster_access()`` in templates: whether the signed-in user may read the roster."""

    def roster_access() -> bool:
        caller = current_user() if session.get("user_id") else None
        return caller is not None and roster.can_read_roster(caller)

    return {"roster_access": roster_access}


def _arg(name: str, allowed: set[str] | None = None) -> str | None:
    value = request.args.get(name, "").strip()[:32] or None
    return value if allowed is None or value in allowed else None


def _statuses(choices: tuple[str, ...]) -> list[tuple[str, str]]:
    english = language() == "en"
    return [(code, status_label(code)[1 if english else 0]) for code in choices]


def _filters() -> dict[str, Any]:
    return {
        "town": _arg("town"),
        "village": _arg("village"),
        "status": _arg("status", set(FILTER_STATUSES)),
        "campaign": id_or_none(request.args.get("campaign")),
        "left_in": _month_arg("left_in"),
    }


def _listed(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the roster's use case takes them: the month of leaving as its first day."""
    left_in = filters["left_in"]
    return {**filters, "left_in": date.fromisoformat(f"{left_in}-01") if left_in else None}


def _month_arg(name: str) -> str | None:
    """A ``YYYY-MM`` argument (the officers' dashboard links its leavers by month), else None."""
    value = request.args.get(name, "").strip()
    return value if LEFT_IN_MONTH.match(value) else None


@bp.get("/officers")
@login_required
def roster_page() -> Any:
    filters = _filters()
    page = page_or_first(request.args.get("page"))
    try:
        listing = roster.list_officers(context(), user(), page=page, per_page=PER_PAGE, **_listed(filters))
        options = roster.filter_options(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    villages = options["villages"]
    if filters["town"]:
        villages = [v for v in villages if v["town"] == filters["town"]]
    return render_template(
        "roster.html",
        listing=listing,
        filters=filters,
        query={key: value for key, value in filters.items() if value},
        pages=max(1, math.ceil(listing["total"] / PER_PAGE)),
        towns=options["towns"],
        villages=villages,
        statuses=_statuses(FILTER_STATUSES),
        english=language() == "en",
    )


# The roster as a clerk prints it (issue 15, point 6): the page's columns, names not codes.
ROSTER_COLUMNS: tuple[Column, ...] = (
    ("姓名", "Name", 12, "name", "name"),
    ("镇", "Town", 12, "town_name", "town_name_en"),
    ("村（社区）", "Village", 16, "village_name", "village_name_en"),
    ("职务", "Role", 20, "role_label", "role_label_en"),
    ("状态", "Status", 10, "status_label", "status_label_en"),
    ("状态起始日期", "Status since", 12, "status_since", "status_since"),
    ("离岗日期", "Left service on", 12, "left_on", "left_on"),
    ("离岗原因", "Reason for leaving", 24, "leave_reason", "leave_reason_en"),
    ("合同编号", "Contract number", 18, "contract_number", "contract_number"),
    ("合同起始日期", "Contract start", 12, "contract_start", "contract_start"),
    ("合同终止日期", "Contract end", 12, "contract_end", "contract_end"),
    ("招聘批次", "Recruitment campaign", 24, "campaign_title", "campaign_title"),
)
EXPORT_LIMIT = 20_000  # more officers than a city has: one workbook, never a page of them


@bp.get("/officers/export")
@login_required
def roster_export() -> Any:
    """The filtered roster as an Excel workbook: every officer the list shows, not one page."""
    try:
        filters = _listed(_filters())
        listing = roster.list_officers(context(), user(), page=1, per_page=EXPORT_LIMIT, **filters)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    rows = [
        {key: value.isoformat() if isinstance(value, date) else value for key, value in officer.items()}
        for officer in listing["items"]
    ]
    english = language() == "en"
    title = "Officer roster" if english else "辅警名册"
    data = rows_xlsx(title, title, ROSTER_COLUMNS, rows, english)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="officers.xlsx")


@bp.get("/officers/<int:officer_id>")
@login_required
def officer_page(officer_id: int) -> Any:
    return _officer(officer_id)


def _officer(officer_id: int, errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    try:
        officer = roster.officer_detail(context(), user(), officer_id)
        officer["contracts"] = officer_contracts(context(), officer)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    caller = user()
    return render_template(
        "officer.html",
        officer=officer,
        # The officer's own account (their monthly report's queue): shown to admins, who open it here.
        account=officer_accounts.account_of(context(), officer_id) if caller.has_role("admin") else None,
        may_open_account=caller.has_role("admin") and officer["status"] == "in_service",
        english=language() == "en",
        # The pay from the confirmed payrolls, to the page's readers who read pay (the sub-bureau, auditors).
        pay=payroll_lines.officer_pay(context(), caller, officer_id)["lines"]
        if payroll_lines.may_read_pay(caller)
        else None,
        may_change=caller.heads("police_bureau") and officer["status"] == "in_service",
        may_refer_dismissal=officer["status"] == "in_service"
        and dismissal_referral.may_refer(context(), caller),
        # Links only to pages the reader may open: the campaign's instances and the renewals are the
        # sub-bureau's (and the auditors'); a month's appraisal also the town's departments that scored it.
        may_read_campaign=dashboards.can_read_campaigns(caller),
        may_open_appraisals=bool(caller.departments) or caller.has_role("auditor"),
        leaving=_statuses(LEAVING_STATUSES),
        errors=errors or {},
        form=request.form if errors else {},
        today=context().clock.now().astimezone(CHINA).date().isoformat(),
    ), status


@bp.post("/officers/<int:officer_id>/status")
@login_required
def officer_status(officer_id: int) -> Any:
    try:
        on = date.fromisoformat(request.form.get("on", ""))
    except ValueError:
        flash(_("请填写有效的离岗日期"), "error")
        return _officer(officer_id, {"on": [_("请填写有效的离岗日期")]}, 422)
    try:
        roster.change_status(
            context(),
            user(),
            officer_id,
            request.form.get("status", ""),
            on,
            request.form.get("reason", "")[:2000],
        )
    except InvalidInputError as error:
        flash(refusal(error), "error")
        return _officer(officer_id, error.errors or {}, error.status)
    except ServiceError as error:
        flash(refusal(error), "error")
        return _officer(officer_id, {}, error.status)
    flash(_("辅警状态已变更"))
    return redirect(url_for("web.officer_page", officer_id=officer_id))


@bp.post("/officers/<int:officer_id>/account")
@login_required
def officer_account(officer_id: int) -> Any:
    """An admin opens the officer's own account (issue 17, point 7): username and first password."""
    try:
        name = officer_accounts.create_officer_account(
            context(),
            user(),
            officer_id,
            request.form.get("username", "").strip()[:64],
            request.form.get("password", "")[:256],
        )
    except InvalidInputError as error:
        flash(refusal(error), "error")
        return _officer(officer_id, error.errors or {}, error.status)
    except ServiceError as error:
        flash(refusal(error), "error")
        return _officer(officer_id, {}, error.status)
    flash(_("已为 %(name)s 开设账号", name=name))
    return redirect(url_for("web.officer_page", officer_id=officer_id))


# Refer a dismissal from the officer's page: the grounds and the facts; the case goes to the sub-bureau.
def _referral_page(
    officer: dict[str, Any],
    schema: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    **extra: Any,
) -> str:
    english = language() == "en"
    return render_template(
        "dismissal_refer.html",
        officer=officer,
        english=english,
        title=str((schema.get("x-title-en") if english else None) or schema.get("title") or ""),
        description=str(
            (schema.get("x-description-en") if english else None) or schema.get("description") or ""
        ),
        fields=build_fields(schema, language(), values, errors),
        **extra,
    )


@bp.route("/officers/<int:officer_id>/dismissal", methods=["GET", "POST"])
@login_required
def refer_dismissal(officer_id: int) -> Any:
    try:
        officer = roster.officer_detail(context(), user(), officer_id)
        schema = dismissal_referral.referral_form(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    if request.method == "GET":
        return _referral_page(officer, schema, {}, {})
    posted = parse_submission(schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        dismissal_referral.refer_dismissal(context(), user(), officer_id, data)
    except ServiceError as error:
        if isinstance(error, ForbiddenError | NotFoundError):
            return render_template("error.html", message=refusal(error)), error.status
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        return _referral_page(officer, schema, data, errors, message=refusal(error)), error.status
    flash(_("已提请清退，案件转公安分局审查"))
    # Back to the officer, whose page lists the case: a station may not read the sub-bureau's instance.
    return redirect(url_for("web.officer_page", officer_id=officer_id))
