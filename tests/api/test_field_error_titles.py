"""Form errors name each field by its title in both languages, nested fields by their own titles; the
error shape stays {code, status, message, message_en, errors: {field: [中文, English]}}."""

from __future__ import annotations

import re

from service.context import ServiceContext
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User

FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]")


def test_a_plan_draft_without_its_required_fields_names_them_by_title(users: dict[str, User]) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")
    body = bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, expect=422)

    assert set(body) == {"code", "status", "message", "message_en", "errors"}
    assert body["errors"] == {
        "plan_title": ["缺少必填项：计划名称", "Required: Plan title."],
        "monthly_salary": ["缺少必填项：月薪标准（元）", "Required: Monthly salary (CNY)."],
    }
    assert body["message"].endswith("缺少必填项：计划名称、月薪标准（元）")
    assert body["message_en"].endswith("Required: Plan title, Monthly salary (CNY).")
    assert not FULL_WIDTH.search(body["message_en"])
    assert "plan_title" not in body["message"] + body["message_en"]


def test_a_wrong_value_is_named_and_explained_in_words(users: dict[str, User]) -> None:
    bureau = users["bureau"]
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")
    data = {"plan_title": "2026年计划", "monthly_salary": "很多", "extra": 1}
    errors = bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data}, expect=422)["errors"]
    assert errors["monthly_salary"] == [
        "“月薪标准（元）”的类型不正确（应为数字）",
        "Monthly salary (CNY) must be a number.",
    ]
    assert errors["(form)"] == [
        "表单中含有未定义的字段：extra",
        "The form has fields it does not define: extra.",
    ]


def test_a_nested_rubric_item_is_named_by_its_own_title(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    station = users["gushan_station"]
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    task = tasks_of(station, "police_station:gushan", "station_score")[0]
    items = {"village_work_support": 10, "intelligence_reporting": 99}
    body = station.post(
        f"/api/v1/tasks/{task['id']}/complete", {"data": {"station_items": items}}, expect=422
    )
    errors = body["errors"]
    assert errors["station_items.attendance_discipline"] == [
        "缺少必填项：出勤与纪律",
        "Required: Attendance and discipline.",
    ]
    assert errors["station_items.intelligence_reporting"] == [
        "“掌握社情民意”不能大于 15",
        "Social conditions and intelligence cannot be more than 15.",
    ]
    for chinese, english in errors.values():
        assert "is a required property" not in english and "attendance_discipline" not in chinese + english
        assert not FULL_WIDTH.search(english), english
    assert "出勤与纪律" in body["message"] and "Attendance and discipline" in body["message_en"]
