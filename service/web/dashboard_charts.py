"""The dashboards' charts as data (issue 15, point 6): each chart is its labels in the reader's language,
its numbers and, for every number, the link to the list behind it. The page puts them in a
``<script type="application/json">`` block that static/dashboards.js draws with Apache ECharts (served here
from web/node_modules, as bpmn-js is); the same numbers are in the page's tables, links included, for
screen readers and browsers without scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _

from service.web import bp, language
from service.web.appraisal_grid import AppraisalLinks, query_pair, url_query
from service.web.display import GRADE_LABELS
from service.web.instance_pages import vendor_file

ECHARTS_DIST = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "echarts" / "dist"


@bp.get("/vendor/echarts/<path:filename>")
def echarts_asset(filename: str) -> Any:
    missing = _("图表组件 echarts 未安装：请在 web/ 目录运行 npm ci（./dev 会自动运行）")
    return vendor_file(Path(current_app.config.get("ECHARTS_DIST") or ECHARTS_DIST), filename, missing)


def _name(item: dict[str, Any], zh: str = "name_zh", en: str = "name_en") -> str:
    return str(item[en] if language() == "en" else item[zh])


def _point(value: int, url: str | None) -> dict[str, Any]:
    return {"value": value, "url": url} if value and url else {"value": value}


def campaign_links(campaign_id: int, charts: dict[str, Any]) -> dict[str, Any]:
    """Every number of the campaign's charts with its link: the applications list filtered by village and
    status or funnel stage, the roster of the campaign's officers of a village, a village's posts."""

    path = url_for("web.campaign_applications_page", campaign_id=campaign_id)
    roster = url_for("web.roster_page", campaign=campaign_id)  # and &village=…, as url_for would add it

    def applications(**query: str) -> str:  # url_for's link, its path built once (146 villages x statuses)
        return f"{path}?{url_query(**query)}" if query else path

    english = language() == "en"
    statuses = [s for s in charts["statuses"] if any(v.get(s["code"]) for v in charts["applicants"].values())]
    villages = charts["villages"]
    table = []
    for village in villages:
        counts = charts["applicants"].get(village["code"], {})
        posts = charts["posts"].get(village["code"], {})
        table.append(
            {
                "code": village["code"],
                "name": _name(village),
                "cells": [
                    (counts.get(s["code"], 0), applications(village=village["code"], result=s["code"]))
                    for s in statuses
                ],
                "total": (sum(counts.values()), applications(village=village["code"])),
                "posts": posts,
                "filled_url": f"{roster}&{query_pair('village', village['code'])}",
            }
        )
    applied = [row for row in table if row["total"][0]]  # villages nobody applied for: no bar
    applicants_chart = {
        "id": "chart-applicants",
        "kind": "bar",
        "stacked": True,
        "categories": [row["name"] for row in applied],
        "series": [
            {
                "name": s["en"] if english else s["zh"],
                "data": [_point(*row["cells"][index]) for row in applied],
            }
            for index, s in enumerate(statuses)
        ],
    }
    funnel = [
        {
            "label": stage["en"] if english else stage["zh"],
            "stage": stage["stage"],
            "count": stage["count"],
            "url": applications(stage=stage["stage"]),
        }
        for stage in charts["funnel"]
    ]
    funnel_chart = {
        "id": "chart-funnel",
        "kind": "funnel",
        "series": [
            {
                "name": _("招聘进程"),
                "data": [{"name": f["label"], **_point(f["count"], f["url"])} for f in funnel],
            }
        ],
    }
    post_series = (
        ("filled", _("已录用")),
        ("in_progress", _("录用流程进行中")),
        ("vacant", _("空缺")),
        ("not_started", _("尚未启动录用")),
    )
    posts_rows = [row for row in table if row["posts"].get("planned") or row["posts"].get("items")]
    posts_chart = {
        "id": "chart-posts",
        "kind": "bar",
        "stacked": True,
        "categories": [row["name"] for row in posts_rows],
        "series": [
            {
                "name": str(label),
                "data": [_point(row["posts"].get(key, 0), _post_url(key, row)) for row in posts_rows],
            }
            for key, label in post_series
        ],
    }
    return {
        "statuses": [(s["code"], s["en"] if english else s["zh"]) for s in statuses],
        "table": table,
        "status_totals": [
            (sum(row["cells"][i][0] for row in table), applications(result=s["code"]))
            for i, s in enumerate(statuses)
        ],
        "funnel": funnel,
        "posts_rows": posts_rows,
        "posts_started": [row for row in posts_rows if row["posts"]["items"]],
        "charts": [applicants_chart, funnel_chart, posts_chart],
    }


def _post_url(key: str, row: dict[str, Any]) -> str | None:
    if key == "filled":
        return str(row["filled_url"])
    if key in ("in_progress", "vacant"):
        return f"#posts-{row['code']}"
    return None


def appraisal_links(
    overview: dict[str, Any], until: str, town: str | None, links: AppraisalLinks
) -> dict[str, Any]:
    """The appraisal charts of the window: grades and vetoes by town in the chosen month, overdue tasks by
    department in that month, and the twelve months' trend of grades and vetoes."""
    english = language() == "en"
    grades = [(code, str(label)) for code, label in GRADE_LABELS.items()]
    results, overdue = links.results, links.overdue
    month_rows = {row["town"]: row for row in overview["rows"] if row["month"] == until}
    towns = overview["towns"]
    town_names = [_name(t) for t in towns]
    grade_chart = {
        "id": "chart-grades",
        "kind": "bar",
        "stacked": True,
        "categories": town_names,
        "series": [
            {
                "name": label,
                "data": [
                    _point(
                        month_rows[t["code"]]["grades"][code] if t["code"] in month_rows else 0,
                        results(until, t["code"], grade=code),
                    )
                    for t in towns
                ],
            }
            for code, label in grades
        ],
    }
    veto_chart = {
        "id": "chart-vetoes",
        "kind": "bar",
        "categories": town_names,
        "series": [
            {
                "name": _("一票否决"),
                "data": [
                    _point(
                        month_rows[t["code"]]["vetoes"] if t["code"] in month_rows else 0,
                        results(until, t["code"], veto=True),
                    )
                    for t in towns
                ],
            }
        ],
    }
    departments: list[dict[str, Any]] = []
    for t in towns:
        row = month_rows.get(t["code"])
        for kind in ("police_station", "town_gov"):
            name = overview["departments"].get(f"{kind}:{t['code']}")
            label = (name[1] if english else name[0]) if name else f"{kind}:{t['code']}"
            count = row["overdue"].get(kind, 0) if row else 0
            departments.append({"label": label, "count": count, "url": overdue(until, t["code"], kind)})
    overdue_chart = {
        "id": "chart-overdue",
        "kind": "bar",
        "horizontal": True,
        "categories": [d["label"] for d in departments],
        "series": [{"name": _("逾期未办"), "data": [_point(d["count"], d["url"]) for d in departments]}],
    }
    months = list(reversed(overview["months"]))
    trend: list[dict[str, Any]] = []
    by_month: dict[str, list[dict[str, Any]]] = {month: [] for month in months}
    for row in overview["rows"]:
        by_month[row["month"]].append(row)
    for month in months:
        cells = by_month[month]
        trend.append(
            {
                "month": month,
                "grades": [
                    (sum(c["grades"][code] for c in cells), results(month, town, grade=code))
                    for code, _label in grades
                ],
                "vetoes": (sum(c["vetoes"] for c in cells), results(month, town, veto=True)),
            }
        )
    trend_chart = {
        "id": "chart-trend",
        "kind": "line",
        "categories": months,
        "series": [
            {"name": label, "data": [_point(*row["grades"][index]) for row in trend]}
            for index, (_code, label) in enumerate(grades)
        ]
        + [{"name": str(_("一票否决")), "data": [_point(*row["vetoes"]) for row in trend]}],
    }
    return {
        "departments": departments,
        "trend": trend,
        "charts": [grade_chart, veto_chart, overdue_chart, trend_chart],
    }
