"""The staffing plan's table on the draft form (forms.py kind "plan_table"): one row per village of the plan
with what it was computed from (quota, officers in service, vacancies) and two inputs, the number to
recruit and the reason for a change. It posts the same array the API takes (``planned_posts``: village,
number, reason); the server checks the numbers against the quota and answers each problem beside its
village (service/usecases/recruitment/plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.web.forms import Field


def _title(node: dict[str, Any], lang: str) -> str:
    return str(node.get("x-title-en") if lang == "en" else node.get("title") or "")


def _message(messages: Any, lang: str) -> str:
    """The server's [zh, en] pair in the page's language."""
    if isinstance(messages, list | tuple) and messages:
        return str(messages[-1] if lang == "en" and len(messages) > 1 else messages[0])
    return str(messages)


@dataclass
class PlanTableRow:
    """One village of the plan: its facts, its two inputs and its own error."""

    key: str
    village: str
    town: str
    quota: int
    in_service: int
    officers: str
    vacancies: int
    posts: Field
    reason: Field
    error: str = ""


def fill_plan_table(
    item: Field, node: dict[str, Any], lang: str, entered: Any, errors: dict[str, Any], source: Any
) -> None:
    """Make ``item`` the plan's table: the drafter's numbers (as posted, or the plan's current ones) and
    each row's error from the server, placed by the posted row it is about."""
    declared = node["x-rows"]
    key, posts_name, note = declared["key"], declared["input"], declared.get("note") or "reason"
    properties = node.get("items", {}).get("properties", {})
    posts_title = _title(properties.get(posts_name, {}), lang) or posts_name
    reason_title = _title(properties.get(note, {}), lang) or note
    posted = entered if isinstance(entered, list) else None
    by_key = {str(i.get(key)): i for i in posted or [] if isinstance(i, dict)}
    en = lang == "en"
    item.kind, item.value, item.task_id = "plan_table", None, source.task_id
    shown: dict[str, PlanTableRow] = {}
    for row in source.rows:
        code = str(row.village_code)
        village = row.village_en if en else row.village_zh
        values = by_key.get(code) if posted is not None else {posts_name: row.posts, note: row.reason}
        values = values or {}
        shown[code] = PlanTableRow(
            key=code,
            village=village,
            town=row.town_en if en else row.town_zh,
            quota=row.quota,
            in_service=row.in_service,
            officers=(", " if en else "、").join(row.officers),
            vacancies=row.vacancies,
            posts=Field(
                name=f"{item.name}.{code}.{posts_name}",
                kind="integer",
                label=f"{posts_title} of {village}" if en else f"{village}的{posts_title}",
                required=True,
                minimum=0,
                value=values.get(posts_name),
            ),
            reason=Field(
                name=f"{item.name}.{code}.{note}",
                kind="text",
                label=f"{reason_title} of {village}" if en else f"{village}的{reason_title}",
                value=values.get(note) or "",
            ),
        )
    table_errors = []
    for path, messages in errors.items():
        if path != item.name and not path.startswith(f"{item.name}."):
            continue
        index = path.removeprefix(f"{item.name}.").split(".")[0]
        target = None
        if path != item.name and index.isdigit() and posted and int(index) < len(posted):
            posted_item = posted[int(index)]
            target = shown.get(str(posted_item.get(key))) if isinstance(posted_item, dict) else None
        message = _message(messages, lang)
        if target is None:
            table_errors.append(message)
            continue
        if not message.startswith(target.village):  # the schema's messages do not name the village
            message = f"{target.village}: {message}" if en else f"{target.village}：{message}"
        target.error = f"{target.error}; {message}" if target.error else message
    item.rows = list(shown.values())
    item.error = ("; " if en else "；").join(table_errors)
