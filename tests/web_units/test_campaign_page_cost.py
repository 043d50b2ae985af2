"""The campaign dashboard's long parts built once in Python (service/web/campaign_grid.py, issue 15): the same
HTML as the template's loops gave, with a number of ``url_for`` calls that does not grow with the villages
or the started posts, and no loop, call or macro inside the template's loops over the rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, g, session

from service.usecases.names import Name
from service.web.campaign_grid import applicant_rows, post_rows, started_posts
from service.web.dashboard_charts import campaign_links
from tests.web_units.test_dashboard_pages import no_loop_or_call_per_row

BETWEEN_TAGS = re.compile(r">\s+<")
STATUSES = ("submitted", "eligible", "ineligible", "hired")
KEY = "2026-recruitment"

# What dashboard_campaign.html drew before the rows were built in Python: the reference for the new rows.
BEFORE = """
{%- for row in charts.table if row.total[0] -%}
<tr data-village="{{ row.code }}"><th scope="row">{{ row.name }}</th>
{%- for count, url in row.cells %}<td class="num" data-status="{{ charts.statuses[loop.index0][0] }}">
{%- if count %}<a href="{{ url }}">{{ count }}</a>{% else %}0{% endif %}</td>{% endfor -%}
<td class="num"><a href="{{ row.total[1] }}">{{ row.total[0] }}</a></td></tr>
{%- endfor -%}
|
{%- for row in charts.posts_rows -%}
<tr data-village="{{ row.code }}"><th scope="row">{{ row.name }}</th>
<td class="num">{{ row.posts.planned }}</td>
<td class="num" data-col="filled">{% if row.posts.filled %}<a href="
{{- url_for('web.roster_page', campaign=campaign_id, village=row.code) }}">{{ row.posts.filled }}</a>
{%- else %}0{% endif %}</td>
<td class="num" data-col="in-progress">{% if row.posts.in_progress %}<a href="#posts-{{ row.code }}">
{{- row.posts.in_progress }}</a>{% else %}0{% endif %}</td>
<td class="num" data-col="vacant">{% if row.posts.vacant %}<a href="#posts-{{ row.code }}">
{{- row.posts.vacant }}</a>{% else %}0{% endif %}</td>
<td class="num">{{ row.posts.not_started }}</td></tr>
{%- endfor -%}
|
{%- set state_labels = {'filled': _('已录用') | in_brackets, 'in_progress': _('进行中') | in_brackets,
                        'vacant': _('空缺') | in_brackets} -%}
{%- set separator = '; ' if lang == 'en' else '、' -%}
{%- for row in charts.posts_started -%}
<li id="posts-{{ row.code }}">{{ row.name }}{{ colon() }}{% for item in row.posts['items'] %}<a href="
{{- url_for('web.instance', instance_id=item.instance_id) }}" title="{{ item.business_key }}">
{{- item.business_key|post_name }}</a>{{ state_labels[item.state] }}{{ separator if not loop.last }}
{%- endfor %}</li>
{%- endfor -%}
"""
AFTER = """
{%- for row in applicant_rows -%}
<tr data-village="{{ row.code }}"><th scope="row">{{ row.name }}</th>{{ row.cells }}</tr>
{%- endfor -%}
|
{%- for row in post_rows -%}
<tr data-village="{{ row.code }}"><th scope="row">{{ row.name }}</th>{{ row.cells }}</tr>
{%- endfor -%}
|
{%- for row in started_posts -%}
<li id="posts-{{ row.code }}">{{ row.name }}{{ colon() }}{{ row.cells }}</li>
{%- endfor -%}
"""


def charts_of(villages: int) -> dict[str, Any]:
    """The campaign use case's chart numbers for ``villages`` villages (the first without applicants or
    posts, a name needing escaping), three posts each, started as filled, in progress and vacant."""
    codes = [f"v{n:03d}" for n in range(villages)]
    posts: dict[str, Any] = {}
    for n, code in enumerate(codes[1:], start=1):
        items = [
            {"instance_id": 1000 + 3 * n + slot, "business_key": f"{KEY}/{code}/{slot + 1}", "state": state}
            for slot, state in enumerate(("filled", "in_progress", "vacant")[: 1 + n % 3])
        ]
        counts = {state: sum(item["state"] == state for item in items) for state in ("filled", "vacant")}
        posts[code] = {"planned": 3, "in_progress": int(len(items) > 1), **counts, "items": items}
        posts[code]["not_started"] = 3 - len(items)
    return {
        "statuses": [{"code": s, "zh": f"状态{s}", "en": s.title()} for s in STATUSES],
        "applicants": {
            code: {s: (n * i) % 4 for i, s in enumerate(STATUSES)} for n, code in enumerate(codes)
        },
        "villages": [
            {"code": code, "name_zh": f"测试<{n}>村", "name_en": f"Village <{n}> & Co"}
            for n, code in enumerate(codes)
        ],
        "posts": posts,
        "funnel": [],
    }


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_rows_are_the_templates_with_paths_built_once(app: Flask, lang: str) -> None:
    built: list[str] = []

    def count(endpoint: str, _values: dict[str, Any]) -> None:
        built.append(endpoint)

    def rows(villages: int) -> tuple[str, str, int]:
        with app.test_request_context("/dashboards/campaigns/7"):
            session["lang"] = lang
            names = {f"v{n:03d}": Name(f"测试<{n}>村", f"Village <{n}> & Co") for n in range(villages)}
            g.names = {"villages": names}  # as preload_post_villages leaves them
            built.clear()
            charts = campaign_links(7, charts_of(villages))
            parts = {
                "applicant_rows": applicant_rows(charts),
                "post_rows": post_rows(charts),
                "started_posts": started_posts(charts, lang == "en"),
            }
            after = app.jinja_env.from_string(AFTER).render(**parts, lang=lang)
            paths = len(built)
            before = app.jinja_env.from_string(BEFORE).render(charts=charts, campaign_id=7, lang=lang)
            # The same HTML but for the line breaks between cells (the page puts some, the rows none).
            return BETWEEN_TAGS.sub("><", before), after, paths

    app.url_default_functions.setdefault(None, []).append(count)
    try:
        before, after, few = rows(12)
        assert after == before and "&lt;3&gt;" in after and after.count("<li ") == 11
        assert after.count('href="/instances/') == 23 and after.count("campaign=7&amp;village=") == 11
        many_before, many_after, many = rows(150)
        assert many_after == many_before
    finally:
        app.url_default_functions[None].remove(count)
    # The paths are built once each, however many villages and posts: 3 (applications, roster, instance).
    assert few == many <= 3, (few, many)


def test_the_templates_loops_over_the_rows_draw_values_only(app: Flask) -> None:
    for rows in ("applicant_rows", "post_rows", "started_posts"):
        assert no_loop_or_call_per_row(app, "dashboard_campaign.html", rows), rows
