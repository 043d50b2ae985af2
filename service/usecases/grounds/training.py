"""Grounds panels of training and the confidentiality undertaking: the training's plan beside the record of
an officer's attendance, and the officer (with an earlier undertaking) beside the upload of a new one."""

from __future__ import annotations

from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    display_name,
    field,
    panel,
    same,
    town_name,
    town_names,
)
from service.usecases.roster import training_cohort


def training_plan(reading: Reading) -> Panel | None:
    """The training the officer was enrolled in: title, dates, place, content, who planned it."""
    data = reading.data
    title = data.get("training_title") or data.get("title")  # an officer's record, or the plan itself
    if not title or "start_date" not in data:
        return None
    dates = f"{data.get('start_date')} – {data.get('end_date')}"
    officer = (
        [field(("辅警", "Officer"), same(f"{data.get('officer_name')}（{data.get('village_name')}）"))]
        if "officer_name" in data
        else []
    )
    town = town_name(town_names(reading.session), data["cohort_town"]) if data.get("cohort_town") else None
    since = data.get("hired_since")
    more_zh, more_en = training_cohort.describe(reading.session, data)  # not trained yet, chosen by name
    cohort = field(
        ("参训范围", "Cohort"),
        (
            f"{town[0] if town else '全区'}在岗辅警"
            + (f"，{since}以后入职" if since else "")
            + (f"，{more_zh}" if more_zh else ""),
            f"Officers in service in {town[1] if town else 'the district'}"
            + (f", hired on or after {since}" if since else "")
            + (f"; {more_en}" if more_en else ""),
        ),
    )
    return panel(
        ("培训计划", "Training plan"),
        [
            *officer,
            field(("培训名称", "Title"), same(title)),
            field(("培训时间", "Dates"), same(dates)),
            field(("培训地点", "Place"), same(data.get("place"))),
            field(("培训内容", "Content"), same(data.get("content"))),
            field(("制定人", "Planned by"), same(display_name(reading.session, data.get("planned_by")))),
            *([] if officer else [cohort]),
        ],
    )


def undertaking_officer(reading: Reading) -> Panel | None:
    """The officer whose undertaking is registered, and the day of an earlier one if any."""
    officer = reading.data.get("undertaking_officer")
    if not isinstance(officer, dict):
        return None
    previous = officer.get("previous_signed_on")
    return panel(
        ("承诺人", "The officer"),
        [
            field(("辅警", "Officer"), same(officer.get("officer_name"))),
            field(("村（社区）", "Village"), same(officer.get("village_name"))),
            field(("合同开始日期", "Contract start"), same(officer.get("contract_start"))),
            field(
                ("此前的保密承诺书", "Earlier undertaking"),
                (f"{previous} 签署", f"signed on {previous}") if previous else ("无", "none"),
            ),
        ],
    )


PANELS: dict[str, PanelBuilder] = {"training_plan": training_plan, "undertaking_officer": undertaking_officer}
