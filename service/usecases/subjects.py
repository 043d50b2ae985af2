"""A task's subject in English. Subjects are stored as Chinese text, written by the service in these shapes:
a person with the village (``应聘人002（涝台村）``, an officer's month ``张建华（涝台村）2026-11``), a post
(``涝台村 第1岗``), a month's payroll (``2026年11月 辅警工资``, bpmn/payroll/) and a welfare report
(``张建华（涝台村）因公受伤 2026-11-20``, service/usecases/welfare/reporting.py). English pages and the
API's English texts show the village's English name and the payroll in English words."""

from __future__ import annotations

import re
from collections.abc import Mapping

from service.usecases.names import Name

_ASIDE = re.compile(r"\s*（([^（）]*)）\s*")
_POST = re.compile(r"^(\S+) 第(\d+)岗$")
_PAYROLL = re.compile(r"^(\d{4})年(\d{1,2})月 辅警工资$")
# What a welfare report's subject names before its date (service/usecases/welfare/reporting.py, REPORTS).
WELFARE_EVENTS = {"因公受伤": "injury on duty", "因公牺牲": "death on duty"}
_WELFARE = re.compile(rf"({'|'.join(WELFARE_EVENTS)}) (\d{{4}}-\d{{2}}-\d{{2}})$")


def payroll_subject(month: str) -> tuple[str, str]:
    """(Chinese, English) of the payroll of ``YYYY-MM``, as its task's subject reads."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月 辅警工资", f"Auxiliary police payroll, {year}-{int(number):02d}"


def english_subject(subject: str, villages: Mapping[str, Name]) -> str:
    """``subject`` in English; ``villages``: the register's villages by Chinese name."""
    if not subject:
        return ""
    payroll = _PAYROLL.match(subject)
    if payroll:
        return payroll_subject(f"{payroll.group(1)}-{payroll.group(2)}")[1]

    def village(name: str) -> str:
        found = villages.get(name)
        return found.en if found else name

    post = _POST.match(subject)
    if post:
        return f"{village(post.group(1))}, post {post.group(2)}"

    def aside(found: re.Match[str]) -> str:
        last = found.end() == len(subject)
        return f" ({village(found.group(1))})" + ("" if last else " ")

    english = _ASIDE.sub(aside, subject)
    return _WELFARE.sub(lambda found: f"{WELFARE_EVENTS[found.group(1)]}, {found.group(2)}", english)
