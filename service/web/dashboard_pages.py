"""Dashboards: a recruitment campaign's posts and applicants; the monthly appraisal by month and town."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, session, url_for

from service.api.fields import id_or_none
from service.usecases import dashboards
from service.usecases.appraisal import previous_months
from service.usecases.errors import ServiceError
from service.usecases.recruitment import calendar_view
from service.usecases.recruitment.reasons import reason_en
from service.web import (
    appraisal_result_pages,  # noqa: F401  (the lists behind the numbers: their routes)
    bp,
    calendar_pages,
    context,
    current_user,
    language,
    login_required,
    officer_dashboard_pages,  # noqa: F401  (the officers' dashboard: its route)
    refusal,
    user,
)
from service.web.appraisal_grid import AppraisalLinks, matrix_rows
from service.web.campaign_grid import applicant_rows, post_rows, started_posts
from service.web.dashboard_charts import appraisal_links, campaign_links
from service.web.display import APPLICATION_LABELS, CHINA, GRADE_LABELS, preload_post_villages

APPRAISAL_MONTHS = 12


@bp.app_context_processor
def _dashboard_links() -> dict[str, Callable[[], dict[str, bool]]]:
    """``dashboard_access()`` in templates: which dashboard links the signed-in user may follow."""

    def dashboard_access() -> dict[str, bool]:
        caller = current_user() if session.get("user_id") else None
        if caller is None:
            return {"campaigns": False, "appraisal": False, "officers": False}
        towns = dashboards.appraisal_towns(caller)
        appraisal = towns is None or bool(towns)
        # The officers' dashboard has the appraisal's readers (service/usecases/officer_dashboard.py).
        campaigns = dashboards.can_read_campaigns(caller)
        return {"campaigns": campaigns, "appraisal": appraisal, "officers": appraisal}

    return {"dashboard_access": dashboard_access}


def _error(error: ServiceError) -> tuple[str, int]:
    return render_template("error.html", message=refusal(error)), error.status


@bp.get("/dashboards/campaigns")
@login_required
def campaigns_dashboard() -> Any:
    chosen = request.args.get("campaign", "")
    if chosen and id_or_none(chosen) is not None:
        return redirect(url_for("web.campaign_dashboard", campaign_id=id_or_none(chosen)))
    try:
        items = dashboards.list_campaigns(context(), user())
    except ServiceError as error:
        return _error(error)
    return render_template("dashboard_campaigns.html", campaigns=items)


@bp.get("/dashboards/campaigns/<int:campaign_id>")
@login_required
def campaign_dashboard(campaign_id: int) -> Any:
    try:
        report = dashboards.campaign_dashboard(context(), user(), campaign_id)
        items = dashboards.list_campaigns(context(), user())
        schedule = calendar_view.campaign_calendar(context(), user(), campaign_id)
        charts = campaign_links(campaign_id, report["charts"])
    except ServiceError as error:
        return _error(error)
    started = [
        item["business_key"] for row in charts.get("posts_started") or () for item in row["posts"]["items"]
    ]
    preload_post_villages([*report["posts_vacant"], *started])
    statuses = sorted(report["applicants_by_status"].items(), key=lambda item: _status_order(item[0]))
    reasons = sorted(report["rejections_by_reason"].items(), key=lambda item: (-item[1], item[0]))
    if language() == "en":  # applications keep their reasons in Chinese, as the decision gave them
        reasons = [(reason_en(reason), count) for reason, count in reasons]
    return render_template(
        "dashboard_campaign.html",
        report=report,
        campaign=report["campaign"],
        campaigns=items,
        statuses=[(code, str(APPLICATION_LABELS.get(code, code)), count) for code, count in statuses],
        reasons=reasons,
        schedule=schedule,
        change_lines=calendar_pages.change_lines,
        charts=charts,
        applicant_rows=applicant_rows(charts),
        post_rows=post_rows(charts),
        started_posts=started_posts(charts, language() == "en"),
    )


def _status_order(code: str) -> tuple[int, str]:
    order = list(APPLICATION_LABELS)
    return (order.index(code) if code in order else len(order), code)


@bp.get("/dashboards/appraisal")
@login_required
def appraisal_dashboard() -> Any:
    this_month = context().clock.now().astimezone(CHINA).strftime("%Y-%m")
    until = request.args.get("until") or this_month
    town = request.args.get("town") or None
    try:
        months = previous_months(until, APPRAISAL_MONTHS)
        overview = dashboards.appraisal_overview(context(), user(), months, town)
    except ServiceError as error:
        return _error(error)
    links = AppraisalLinks(months)
    grades = [(code, str(label)) for code, label in GRADE_LABELS.items()]
    return render_template(
        "dashboard_appraisal.html",
        overview=overview,
        until=until,
        town=town or "",
        town_options=overview["town_options"],
        grades=grades,
        matrix=matrix_rows(overview, links, [code for code, _label in grades], language() == "en"),
        charts=appraisal_links(overview, months[0], town, links),
    )
