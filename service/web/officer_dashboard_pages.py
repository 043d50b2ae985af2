"""The officers' dashboard (issue 17): officers in service against the posts by town, leavers by reason and
month, the officer cases open by process and step, the officers without a confidentiality undertaking.
Every number links to the list behind it: the roster filtered, the open cases of a step (/instances),
/undertakings/missing."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import instance_list, officer_dashboard
from service.usecases.appraisal import previous_months
from service.usecases.errors import ServiceError
from service.usecases.officer_labels import status_label
from service.usecases.roster.training import RESULT_LABELS
from service.web import bp, context, language, login_required, refusal, user
from service.web.appraisal_grid import url_query
from service.web.display import CHINA, process_name

MONTHS = 12


def _point(value: int, url: str | None) -> dict[str, Any]:
    return {"value": value, "url": url} if value and url else {"value": value}


def _links(overview: dict[str, Any], town: str | None) -> dict[str, Any]:
    """The page's tables and charts: each number with its link, labels in the reader's language. The lists'
    paths are resolved once (a link per number: 300 of them for 100 towns), only their queries per number."""
    english = language() == "en"
    roster_path, cases_path = url_for("web.roster_page"), url_for("web.instance_list_page")

    def _roster(**query: str) -> str:
        return f"{roster_path}?{url_query(**query)}"

    def _cases(**query: str) -> str:
        return f"{cases_path}?{url_query(**query)}"

    def _records(training: int, result: str, where: dict[str, str]) -> str:
        """The records of ``training`` with ``result`` (of the chosen town): the list a result's number
        counts."""
        return _cases(process="training_attendance", training=str(training), result=result, **where)

    may_list = instance_list.reads_every_officer_case(user())  # the training records: the bureau's
    where = {"town": town} if town else {}
    staffing = [
        {
            "name": t["name_en"] if english else t["name_zh"],
            "posts": t["posts"],
            "in_service": (t["in_service"], _roster(town=t["code"], status="in_service")),
            "on_injury_leave": (t["on_injury_leave"], _roster(town=t["code"], status="injury_leave")),
        }
        for t in overview["staffing"]
    ]
    months = list(reversed(overview["months"]))
    statuses = [(code, status_label(code)[1 if english else 0]) for code in overview["leaver_statuses"]]
    leavers = [
        {
            "month": month,
            "cells": [
                (
                    overview["leavers"].get((month, code), 0),
                    _roster(status=code, left_in=month, **where),
                )
                for code, _label in statuses
            ],
        }
        for month in months
    ]
    steps = [
        {
            **step,
            "process_name": process_name(step["process"]),
            "step_name": step["name_en"] if english else step["name_zh"],
            # The open cases waiting at the step that the reader may read: as many as the number says.
            "url": _cases(process=step["process"], step=step["step"], state="open", **where),
        }
        for step in overview["open_steps"]
    ]
    results = [(code, label[1 if english else 0]) for code, label in RESULT_LABELS.items()]
    trainings = [
        {
            "title": row["title"],
            # The training's record (its cohort's attendance), which the counts are of.
            "url": url_for("web.instance", instance_id=row["instance_id"]),
            # Each result's records of the training, for those who read the officer cases.
            "cells": [
                (
                    row["results"].get(code, 0),
                    _records(row["instance_id"], code, where) if may_list else None,
                )
                for code, _label in results
            ],
        }
        for row in overview["trainings"]
    ]
    staffing_chart = {
        "id": "chart-staffing",
        "kind": "bar",
        "categories": [row["name"] for row in staffing],
        "series": [
            {"name": str(_("在岗")), "data": [_point(*row["in_service"]) for row in staffing]},
            {"name": str(_("岗位数")), "data": [{"value": row["posts"]} for row in staffing]},
        ],
    }
    leavers_chart = {
        "id": "chart-leavers",
        "kind": "bar",
        "stacked": True,
        "categories": months,
        "series": [
            {"name": label, "data": [_point(*row["cells"][index]) for row in leavers]}
            for index, (_code, label) in enumerate(statuses)
        ],
    }
    open_chart = {
        "id": "chart-open-steps",
        "kind": "bar",
        "horizontal": True,
        "categories": [f"{s['process_name']} · {s['step_name']}" for s in steps],
        "series": [{"name": str(_("办理中的事项")), "data": [_point(s["count"], s["url"]) for s in steps]}],
    }
    return {
        "staffing": staffing,
        "statuses": statuses,
        "leavers": leavers,
        "leaver_totals": [
            (sum(row["cells"][index][0] for row in leavers), _roster(status=code, **where))
            for index, (code, _label) in enumerate(statuses)
        ],
        "steps": steps,
        "results": results,
        "trainings": trainings,
        # No open case, no empty axes: the table's sentence says so.
        "charts": [staffing_chart, leavers_chart, *([open_chart] if steps else [])],
    }


@bp.get("/dashboards/officers")
@login_required
def officers_dashboard() -> Any:
    this_month = context().clock.now().astimezone(CHINA).strftime("%Y-%m")
    until = request.args.get("until") or this_month
    town = request.args.get("town") or None
    try:
        months = previous_months(until, MONTHS)
        overview = officer_dashboard.officer_overview(context(), user(), months, town)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return render_template(
        "dashboard_officers.html",
        overview=overview,
        until=until,
        town=town or "",
        links=_links(overview, town),
    )
