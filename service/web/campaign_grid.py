"""The campaign dashboard's three long parts as HTML built once per page in Python (issue 15, point 6): the
applicants by village and status, the posts by village, and the list of started posts.

Why not in the template: at a province's campaign they are 146 villages x 8 statuses of numbers and 400
started posts, each a link. Drawn by Jinja, every cell was a loop step, an attribute lookup and an escape,
and every started post a ``url_for`` and a ``post_name`` filter call (cProfile of the page at the bench's
volume: the template 0.58 s of 2 s for 3 pages, ~550 ``url_for`` and ~550 ``post_name`` a page;
docs/benchmarks.md). Here each path is built once (``url_for``), each village's query once, a village's
name once, and each row is one escaped string: the template's loops over these rows have no loop, call or
macro inside them, and how many paths are built does not grow with the villages or the posts
(tests/web_units/test_campaign_page_cost.py, which also compares every row with the template's output).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from service.web.display import post_name

# A number url_for cannot take for an instance id, replaced by each post's own: one url_for for 400 links.
_ANY_ID = 987654321


class GridRow(NamedTuple):
    code: str  # the village's code (data-village, the posts' anchors)
    name: str  # the village's name in the reader's language
    cells: Markup  # the row's <td> cells, or a started post list's items


def _number(count: int, url: str, attribute: str = "") -> str:
    """A number as a cell; other than 0 it links to ``url`` (escaped here)."""
    if not count:
        return f'<td class="num"{attribute}>0</td>'
    return f'<td class="num"{attribute}><a href="{escape(url)}">{count}</a></td>'


def applicant_rows(charts: dict[str, Any]) -> list[GridRow]:
    """The villages someone applied for: a cell per status shown (``data-status``) and the total, each
    linking to the applications list (``campaign_links`` built the addresses)."""
    attributes = [f' data-status="{escape(code)}"' for code, _label in charts["statuses"]]
    rows = []
    for row in charts["table"]:
        total, total_url = row["total"]
        if not total:
            continue
        pairs = zip(row["cells"], attributes, strict=True)
        cells = [_number(count, url, attribute) for (count, url), attribute in pairs]
        cells.append(f'<td class="num"><a href="{escape(total_url)}">{total}</a></td>')
        # Safe as it is: numbers, escaped status codes and escaped addresses.
        rows.append(GridRow(row["code"], row["name"], Markup("".join(cells))))  # noqa: S704
    return rows


def post_rows(charts: dict[str, Any]) -> list[GridRow]:
    """The villages with posts: planned, filled (the roster of the campaign's officers of the village),
    in progress and vacant (the village's started posts below), not started."""
    rows = []
    for row in charts["posts_rows"]:
        posts, code = row["posts"], row["code"]
        anchor = f"#posts-{code}"
        cells = (
            f'<td class="num">{escape(posts.get("planned", ""))}</td>',
            _number(posts.get("filled", 0), row["filled_url"], ' data-col="filled"'),
            _number(posts.get("in_progress", 0), anchor, ' data-col="in-progress"'),
            _number(posts.get("vacant", 0), anchor, ' data-col="vacant"'),
            f'<td class="num">{escape(posts.get("not_started", ""))}</td>',
        )
        rows.append(GridRow(code, row["name"], Markup("".join(cells))))  # noqa: S704  (escaped above)
    return rows


def started_posts(charts: dict[str, Any], english: bool) -> list[GridRow]:
    """Each village's started posts, named (``post_name``: 涝台村 第1岗), linking to their hiring
    instance, with their state; the villages' names are read beforehand (``preload_post_villages``)."""
    instance = url_for("web.instance", instance_id=_ANY_ID)
    before, after = instance.split(str(_ANY_ID))
    labels = {
        state: escape(f" ({label})" if english else f"（{label}）")
        for state, label in (("filled", _("已录用")), ("in_progress", _("进行中")), ("vacant", _("空缺")))
    }
    separator = "; " if english else "、"
    rows = []
    for row in charts["posts_started"]:
        items = [
            f'<a href="{before}{int(item["instance_id"])}{after}" title="{escape(item["business_key"])}">'
            f"{escape(post_name(item['business_key']))}</a>{labels[item['state']]}"
            for item in row["posts"]["items"]
        ]
        rows.append(GridRow(row["code"], row["name"], Markup(separator.join(items))))  # noqa: S704
    return rows
