"""Grounds panels of the monthly appraisal: whom and what month a task is about, both scores, the suggested
grade and the veto, and the overdue task an escalation follows up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.persistence.models import HumanTaskModel, OfficerModel
from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    Text,
    beijing_time,
    column,
    deadline,
    display_name,
    enum_label,
    field,
    month_text,
    number,
    panel,
    points,
    same,
    schema_at,
    title_of,
    village_town,
    yes_no,
)

STATION_FORM, TOWN_FORM = "station_score.json", "town_score.json"
VETO_FORM, GRADE_FORM = "veto.json", "grade_confirmation.json"
TASK_STATES: dict[str, Text] = {
    "open": ("待认领", "Unclaimed"),
    "claimed": ("已认领", "Claimed"),
    "completed": ("已办结", "Completed"),
    "cancelled": ("已取消", "Cancelled"),
}


def scoring_subject(reading: Reading) -> Panel | None:
    """The officer, the village and town, the month and the scoring's due date."""
    data = reading.data
    if data.get("officer_id") is None:
        return None
    officer = reading.session.get(OfficerModel, data["officer_id"])
    name = officer.name if officer is not None else str(data.get("officer_name") or "—")
    village, town = village_town(
        reading.session, officer.village_code if officer else data.get("village_code")
    )
    due = reading.task.due_at or data.get("due_at")
    fields = [
        field(("辅警", "Officer"), same(name)),
        field(("村（社区）", "Village or community"), village),
        field(("所属镇", "Town"), town),
        field(("考核月份", "Month appraised"), month_text(data.get("month"))),
        field(("评分期限", "Scoring due"), deadline(due)),
    ]
    return panel(("考核对象", "Who and what month"), fields)


def _scores(reading: Reading, form: str, items_key: str, total_key: str) -> Panel | None:
    """One scorer's items as the form titles them, each with its maximum, and the total."""
    items: dict[str, Any] = dict(reading.data.get(items_key) or {})
    if not items:
        return None
    rubric = schema_at(reading.forms, form, items_key).get("properties") or {}
    order = [key for key in rubric if key in items] + [key for key in items if key not in rubric]
    rows = [
        (
            title_of(reading.forms, form, items_key, key),
            same(number(items[key])),
            same(number(rubric.get(key, {}).get("maximum"))),
        )
        for key in order
    ]
    total = reading.data.get(total_key)
    total = sum(float(v) for v in items.values()) if total is None else total
    full = sum(float(spec.get("maximum") or 0) for spec in rubric.values())
    fields = [
        field(
            ("合计", "Total"), (f"{number(total)} / {number(full)} 分", f"{number(total)} / {number(full)}")
        )
    ]
    if form == TOWN_FORM and reading.data.get("village_committee_opinion"):
        opinion = reading.data["village_committee_opinion"]
        fields.append(
            field(
                title_of(reading.forms, form, "village_committee_opinion"),
                enum_label(reading.forms, form, ("village_committee_opinion",), opinion),
            )
        )
    columns = [
        column(("评分项", "Item")),
        column(("得分", "Score"), numeric=True),
        column(("满分", "Maximum"), numeric=True),
    ]
    return panel(title_of(reading.forms, form), fields, columns, rows)


def station_scores(reading: Reading) -> Panel | None:
    return _scores(reading, STATION_FORM, "station_items", "station_total")


def town_scores(reading: Reading) -> Panel | None:
    return _scores(reading, TOWN_FORM, "town_items", "town_total")


def grade_suggestion(reading: Reading) -> Panel | None:
    """The suggested grade with its inputs: the combined score, both totals, and the town's veto."""
    data, forms = reading.data, reading.forms
    if data.get("suggested_grade") is None:
        return None
    station, town = title_of(forms, STATION_FORM), title_of(forms, TOWN_FORM)
    fields = [
        field(
            ("建议考核等次", "Suggested grade"),
            enum_label(forms, GRADE_FORM, ("grade",), data["suggested_grade"]),
        ),
        field(
            ("综合得分（派出所40%、镇政府60%）", "Combined score (station 40%, town 60%)"),
            points(data.get("combined_score")),
        ),
        field((f"{station[0]}得分", f"{station[1]} score"), points(data.get("station_total"))),
        field((f"{town[0]}得分", f"{town[1]} score"), points(data.get("town_total"))),
        field(title_of(forms, VETO_FORM, "veto"), yes_no(data.get("veto"))),
    ]
    if data.get("veto"):
        record = data.get("veto_record") or {}
        fields.append(field(title_of(forms, VETO_FORM, "veto_reason"), same(data.get("veto_reason") or "—")))
        fields.append(field(("否决人", "Vetoed by"), same(display_name(reading.session, record.get("by")))))
        fields.append(field(("否决时间", "Vetoed at"), beijing_time(record.get("at"))))
    if "promotion_allowed" in data:
        fields.append(field(("可否晋升", "Promotion allowed"), yes_no(data["promotion_allowed"])))
    if "reward_allowed" in data:
        fields.append(field(("可否奖励", "Reward allowed"), yes_no(data["reward_allowed"])))
    return panel(("建议等次及依据", "Suggested grade and its inputs"), fields)


def overdue_task(reading: Reading) -> Panel | None:
    """The scoring task this escalation follows up: who holds it, since when, and its due date."""
    task = reading.task
    overdue = reading.session.scalars(
        select(HumanTaskModel)
        .where(
            HumanTaskModel.instance_id == task.instance_id,
            HumanTaskModel.department_code == task.department_code,
            HumanTaskModel.id != task.id,
            HumanTaskModel.due_at.is_not(None),
            HumanTaskModel.created_at <= task.created_at,
        )
        .order_by(HumanTaskModel.created_at.desc(), HumanTaskModel.id)
        .limit(1)
    ).first()
    if overdue is None:
        return None
    if overdue.state == "claimed":
        holder = same(display_name(reading.session, overdue.claimed_by))
    elif overdue.state == "completed":
        name = display_name(reading.session, overdue.completed_by)
        holder = (f"已由{name}办结", f"Completed by {name}")
    else:
        holder = TASK_STATES.get(overdue.state, same(overdue.state))
    fields = [
        field(("逾期任务", "Overdue task"), (overdue.name_zh, overdue.name_en)),
        field(("办理人", "Held by"), holder),
        field(("待办生成时间", "Waiting since"), beijing_time(overdue.created_at)),
    ]
    if overdue.claimed_at is not None and overdue.state == "claimed":
        fields.append(field(("认领时间", "Claimed at"), beijing_time(overdue.claimed_at)))
    if overdue.completed_at is not None:
        fields.append(field(("办结时间", "Completed at"), beijing_time(overdue.completed_at)))
    fields.append(field(("完成期限", "Due date"), deadline(overdue.due_at)))
    return panel(("逾期任务", "The overdue task"), fields)


PANELS: dict[str, PanelBuilder] = {
    "scoring_subject": scoring_subject,
    "station_scores": station_scores,
    "town_scores": town_scores,
    "grade_suggestion": grade_suggestion,
    "overdue_task": overdue_task,
}
