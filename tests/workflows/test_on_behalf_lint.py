"""The lint of a user task's ``dueDayOfNextMonth`` and its entry on a person's behalf (issue 17, point 7):
a day some month lacks is refused (it was ignored before), ``onBehalfBy`` only on a task of a person's own
queue, naming a department or template, and always with the signed paper it then requires; the field
report's model passes, and deploying it with the day set to 30 is refused in both languages."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from workflows.extensions import user_task_info, user_task_problems
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]


def task(lane: str = "officer:{officer_id}", **properties: str) -> SimpleNamespace:
    return SimpleNamespace(
        extensions={"properties": properties}, bpmn_id="t", name="t", bpmn_name="任务", lane=lane
    )


def problems(lane: str = "officer:{officer_id}", **properties: str) -> list[str]:
    return [zh for zh, _en in user_task_problems(user_task_info(task(lane, **properties)))]


def test_the_due_day_and_the_entry_on_behalf_are_checked() -> None:
    assert problems() == []
    assert problems(dueDayOfNextMonth="28") == []
    assert user_task_info(task(dueDayOfNextMonth="28")).due_day_of_next_month == 28
    for wrong in ("0", "29", "31", "x", "1.5"):
        [found] = problems(dueDayOfNextMonth=wrong)
        assert f"dueDayOfNextMonth 的值 {wrong!r} 不是 1 至 28 之间的整数" in found
    entry = {"onBehalfBy": "police_station:{town}", "onBehalfAttachment": "signed_field_report"}
    assert problems(**entry) == []
    [lane] = problems("police_bureau", **entry)
    assert "只用于本人事项" in lane
    [department] = problems(**{**entry, "onBehalfBy": "officer:{officer_id}"})
    assert "不是部门代码或部门模板" in department
    [paper] = problems(onBehalfBy="police_station:{town}")
    assert "代为录入须声明 onBehalfAttachment" in paper and "signed_field_report" in paper
    assert problems(**{**entry, "onBehalfAttachment": "true"}) == [paper]  # a file by what it is
    [alone] = problems(onBehalfAttachment="signed_field_report")
    assert "须与 onBehalfBy 一同声明" in alone


def test_the_field_report_model_declares_them_and_deploy_refuses_a_day_of_30() -> None:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "fieldreports"), ROOT / "forms")
    info = parse_bundle(files).user_task("field_report", "submit_report")
    assert info is not None and info.due_day_of_next_month == 1
    assert (info.on_behalf_by, info.on_behalf_attachment) == ("police_station:{town}", "signed_field_report")
    review = parse_bundle(files).user_task("field_report", "review_report")
    assert review is not None and review.separate_from == ("submit_report",)
    declared = '<spiffworkflow:property name="dueDayOfNextMonth" value="1" />'
    files["field_report.bpmn"] = files["field_report.bpmn"].replace(declared, declared.replace('"1"', '"30"'))
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(files)
    assert [p for p in refused.value.problems if "dueDayOfNextMonth" in p] == [
        "field_report/submit_report: dueDayOfNextMonth 的值 '30' 不是 1 至 28 之间的整数（每个月都有的日子）"
        " / dueDayOfNextMonth '30' is not a whole number from 1 to 28 (a day every month has)"
    ]
