"""The appraisal dashboard's month-by-town table and the addresses behind its numbers (issue 15, point 6),
built once per page in Python.

Why not in the template: a sub-bureau's twelve months x 100-1,400 towns are 12,000 numbers and more, each
linking to the list behind it. Drawn through a Jinja macro per number, with ``url_for`` per row and per chart
point and every value escaped on its own, the table was most of the page's time (cProfile: about 15,000
macro calls and 4,400 ``url_for``/``urlencode`` per page; docs/benchmarks.md). Here each list's path is built
once per month (``url_for``) and each town's query once (``urlencode``); a number's link is those joined, and
a row's cells are one string. How many paths are built does not grow with the towns or the rows, and the
template's loop over the rows has no loop or call inside it (tests/web_units/test_dashboard_pages.py)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup, escape

# The characters url_for (werkzeug) leaves unquoted in a query: the links built here are the same as its.
QUERY_SAFE = "!$'()*,/:;?@"


@lru_cache(maxsize=8192)
def query_pair(key: str, value: str) -> str:
    """``key=value`` as ``url_for`` writes it after a path, encoded once per town, village, grade or status
    however many of the dashboards' links carry it."""
    return urlencode({key: value}, safe=QUERY_SAFE)


def url_query(**pairs: str) -> str:
    """``key=value&…`` as ``url_for`` writes it after a path."""
    return "&".join(query_pair(key, value) for key, value in pairs.items())


class MatrixRow(NamedTuple):
    month: str
    town: str
    town_name: str
    cells: Markup  # the row's numbers as <td> cells, each but "started" linking to its list when not 0


class AppraisalLinks:
    """The addresses of the appraisal lists (results, overdue tasks) for the months of one page, the same
    as ``url_for`` gives: ``/appraisals/<month>/results?town=…&grade=…``."""

    def __init__(self, months: Iterable[str]) -> None:
        self._results = {m: url_for("web.appraisal_results_page", month=m) for m in months}
        self._overdue = {m: url_for("web.appraisal_overdue_page", month=m) for m in self._results}

    @staticmethod
    def query(key: str, value: str | None) -> str:
        """``key=value`` encoded as ``url_for`` does; "" without a value."""
        return query_pair(key, value) if value else ""

    @staticmethod
    def _joined(path: str, *queries: str) -> str:
        query = "&".join(q for q in queries if q)
        return f"{path}?{query}" if query else path

    def results(self, month: str, town: str | None, grade: str | None = None, veto: bool = False) -> str:
        """A month's results of ``town`` (or of every town shown), of one grade or vetoed."""
        veto_query = "veto=1" if veto else ""
        return self._joined(
            self._results[month], self.query("town", town), self.query("grade", grade), veto_query
        )

    def overdue(self, month: str, town: str | None, kind: str | None = None) -> str:
        """A month's overdue appraisal tasks of ``town`` (or of every town shown), of one department kind."""
        return self._joined(self._overdue[month], self.query("town", town), self.query("kind", kind))


def _td(count: int, url: str | None, attribute: str, overdue: bool = False) -> str:
    """One number as a cell. ``attribute`` (``data-col="vetoes"``, a constant of ``matrix_rows``) is what
    tests and scripts find it by; a number other than 0 links to its list; overdue is in the column's
    heading too, never colour alone."""
    css = "num overdue" if overdue and count else "num"
    if not count or url is None:
        return f'<td class="{css}" {attribute}>{count}</td>'
    return f'<td class="{css}" {attribute}><a href="{escape(url)}">{count}</a></td>'


def matrix_rows(
    overview: dict[str, Any], links: AppraisalLinks, grades: list[str], english: bool
) -> list[MatrixRow]:
    """One row per month and town with something to show: started, appraised, each grade, vetoes and the
    overdue tasks of the police station, of the town government and in all, each with its list."""
    grade_cells = [(g, f'data-grade="{g}"', links.query("grade", g)) for g in grades]
    rows = []
    for row in overview["rows"]:
        month, town, by_kind = row["month"], row["town"], row["overdue"]
        results, overdue = links.results(month, town), links.overdue(month, town)  # each with ?town=
        cells = [
            _td(row["started"], None, 'data-col="started"'),
            _td(row["appraised"], f"{results}&confirmed=1", 'data-col="appraised"'),
            *(_td(row["grades"][g], f"{results}&{query}", attribute) for g, attribute, query in grade_cells),
            _td(row["vetoes"], f"{results}&veto=1", 'data-col="vetoes"', overdue=True),
            _td(by_kind["police_station"], f"{overdue}&kind=police_station", 'data-col="overdue-station"'),
            _td(by_kind["town_gov"], f"{overdue}&kind=town_gov", 'data-col="overdue-town"'),
            _td(row["overdue_total"], overdue, 'data-col="overdue"', overdue=True),
        ]
        name = row["town_name_en"] if english else row["town_name_zh"]
        # Safe as it is: numbers, the constant attributes above and escaped addresses.
        rows.append(MatrixRow(month, town, name, Markup("".join(cells))))  # noqa: S704
    return rows
