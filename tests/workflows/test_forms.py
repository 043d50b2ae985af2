"""validate_submission: field errors located by field, with a Chinese message, against the bundled forms."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from workflows.forms import FieldError, FormError, load_form_schema, validate_submission

FORMS = Path(__file__).resolve().parents[2] / "forms"
CJK = re.compile(r"[\u4e00-\u9fff]")


def form(name: str) -> dict[str, Any]:
    return load_form_schema(name, (FORMS / name).read_text(encoding="utf-8"))


def errors_by_field(schema: dict[str, Any], data: Any) -> dict[str, FieldError]:
    errors = validate_submission(schema, data)
    for error in errors:
        assert isinstance(error, FieldError)
        assert CJK.search(error.message), f"message is not Chinese: {error.message!r}"
        assert error.message_en
    return {error.field: error for error in errors}


VALID = {
    "staffing_plan_draft.json": {"plan_title": "2026年农村辅警用人计划", "monthly_salary": 3500},
    "plan_review.json": {"decision": "approve"},
    "funding_confirmation.json": {"decision": "return", "reason": "经费来源需明确"},
    "announcement.json": {
        "registration_start": "2026-03-01",
        "registration_end": "2026-03-15",
        "announcement": "招聘公告",
    },
    "exam_scores.json": {"scores": [{"application_id": 1, "score": 0}, {"application_id": 2, "score": 100}]},
    "vetting.json": {"findings": [], "notes": "未发现不得聘用情形"},
    "labour_contract.json": {
        "contract_number": "HT-1",
        "contract_start": "2026-05-01",
        "contract_end": "2029-04-30",
    },
}


@pytest.mark.parametrize(("name", "data"), sorted(VALID.items()))
def test_valid_submission_gives_no_errors(name: str, data: dict[str, Any]) -> None:
    assert validate_submission(form(name), data) == []


def test_required_field_missing() -> None:
    errors = errors_by_field(form("staffing_plan_draft.json"), {"plan_title": "计划"})
    assert list(errors) == ["monthly_salary"]
    assert "必填" in errors["monthly_salary"].message
    assert "monthly_salary" in errors["monthly_salary"].message_en


def test_every_missing_required_field_is_reported() -> None:
    errors = errors_by_field(form("labour_contract.json"), {})
    assert set(errors) == {"contract_number", "contract_start", "contract_end"}


def test_number_below_minimum() -> None:
    errors = errors_by_field(form("staffing_plan_draft.json"), {"plan_title": "计划", "monthly_salary": -1})
    assert list(errors) == ["monthly_salary"]
    assert errors["monthly_salary"].message == "“月薪标准（元）”不能小于 0"


@pytest.mark.parametrize(("score", "message"), [(100.5, "“成绩”不能大于 100"), (-0.5, "“成绩”不能小于 0")])
def test_number_out_of_bounds_in_an_array_item(score: float, message: str) -> None:
    data = {"scores": [{"application_id": 1, "score": 50}, {"application_id": 2, "score": score}]}
    errors = errors_by_field(form("exam_scores.json"), data)
    assert list(errors) == ["scores.1.score"]
    assert errors["scores.1.score"].message == message


def test_wrong_type() -> None:
    data = {"plan_title": "计划", "monthly_salary": "3500"}
    errors = errors_by_field(form("staffing_plan_draft.json"), data)
    assert list(errors) == ["monthly_salary"]
    assert "类型不正确" in errors["monthly_salary"].message


def test_enum_violation() -> None:
    errors = errors_by_field(form("plan_review.json"), {"decision": "maybe"})
    assert list(errors) == ["decision"]
    assert errors["decision"].message == "“审核意见”的取值不在允许范围内"


def test_enum_violation_in_an_array_item() -> None:
    errors = errors_by_field(form("vetting.json"), {"findings": ["bad_credit", "jaywalking"], "notes": "x"})
    assert list(errors) == ["findings.1"]
    assert "取值不在允许范围内" in errors["findings.1"].message


def test_duplicate_items_are_refused() -> None:
    errors = errors_by_field(form("vetting.json"), {"findings": ["bad_credit", "bad_credit"], "notes": "x"})
    assert list(errors) == ["findings"]
    assert "重复" in errors["findings"].message


@pytest.mark.parametrize(
    "value", ["2026-13-01", "2026-02-30", "01/03/2026", "2026-3-1", "2026-03-01T00:00:00", ""]
)
def test_bad_date_format(value: str) -> None:
    data = dict(VALID["announcement.json"], registration_end=value)
    errors = errors_by_field(form("announcement.json"), data)
    assert list(errors) == ["registration_end"]
    assert errors["registration_end"].message == "“报名截止日期”格式不正确（应为 date）"


def test_additional_properties_are_refused() -> None:
    data = dict(VALID["plan_review.json"], approved_by="admin")
    errors = validate_submission(form("plan_review.json"), data)
    assert len(errors) == 1
    assert "未定义的字段" in errors[0].message
    assert "approved_by" in errors[0].message


def test_additional_properties_in_array_items_are_refused() -> None:
    data = {"scores": [{"application_id": 1, "score": 50, "rank": 1}]}
    errors = validate_submission(form("exam_scores.json"), data)
    assert len(errors) == 1
    assert errors[0].field.startswith("scores.0")
    assert "rank" in errors[0].message


@pytest.mark.parametrize("name", ["plan_review.json", "funding_confirmation.json"])
def test_reason_is_required_when_returning(name: str) -> None:
    errors = errors_by_field(form(name), {"decision": "return"})
    assert list(errors) == ["reason"]
    assert "必填" in errors["reason"].message


@pytest.mark.parametrize("name", ["plan_review.json", "funding_confirmation.json"])
def test_reason_must_not_be_empty_when_returning(name: str) -> None:
    errors = errors_by_field(form(name), {"decision": "return", "reason": ""})
    assert list(errors) == ["reason"]
    assert errors["reason"].message == "“理由”不能为空"


@pytest.mark.parametrize("name", ["plan_review.json", "funding_confirmation.json"])
def test_reason_is_optional_when_approving(name: str) -> None:
    assert validate_submission(form(name), {"decision": "approve"}) == []
    assert validate_submission(form(name), {"decision": "approve", "reason": ""}) == []


def test_submission_that_is_not_an_object() -> None:
    errors = errors_by_field(form("plan_review.json"), ["approve"])
    assert list(errors) == ["(form)"]


def test_errors_are_sorted_by_field() -> None:
    data = {"registration_start": "x", "registration_end": "y", "announcement": ""}
    fields = [error.field for error in validate_submission(form("announcement.json"), data)]
    assert fields == sorted(fields)
    assert set(fields) == {"announcement", "registration_end", "registration_start"}


# -- load_form_schema -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["{", '["a"]', '{"type": "array"}', '{"type": "object", "properties": {"a": {"type": "no-such-type"}}}'],
    ids=["not_json", "not_object", "not_object_schema", "invalid_schema"],
)
def test_unusable_form_files_are_refused(text: str) -> None:
    with pytest.raises(FormError) as caught:
        load_form_schema("bad.json", text)
    assert "bad.json" in str(caught.value)


@pytest.mark.parametrize("name", sorted(p.name for p in FORMS.glob("*.json")))
def test_bundled_forms_follow_the_conventions(name: str) -> None:
    """design.md: `title` Chinese, `x-title-en` English, on the form and on every property."""
    schema = form(name)
    raw = json.loads((FORMS / name).read_text(encoding="utf-8"))
    assert raw.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    assert CJK.search(schema["title"]) and schema["x-title-en"]

    def walk(properties: dict[str, Any], where: str) -> None:
        for key, prop in properties.items():
            assert CJK.search(prop.get("title", "")), f"{name}: {where}{key} has no Chinese title"
            assert prop.get("x-title-en"), f"{name}: {where}{key} has no English title"
            if isinstance(prop.get("properties"), dict):
                walk(prop["properties"], f"{where}{key}.")
            items = prop.get("items")
            if isinstance(items, dict) and isinstance(items.get("properties"), dict):
                walk(items["properties"], f"{where}{key}[].")

    walk(schema.get("properties", {}), "")
