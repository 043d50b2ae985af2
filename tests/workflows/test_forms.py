"""validate_submission: field errors located by field, with a Chinese message, against the bundled forms;
forms are self-contained and their patterns run on RE2."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.test_specs_security import USER_TASK, lanes, process
from workflows.forms import FieldError, FormBundle, FormError, load_form_schema, validate_submission
from workflows.specs import DefinitionError, parse_bundle

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
    assert errors["monthly_salary"].message_en == "Required: Monthly salary (CNY)."


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
    assert errors["registration_end"].message == "“报名截止日期”格式不正确（应为日期，如 2026-12-05）"


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


# -- self-contained forms: no $ref leaves the bundle, patterns run on RE2 ---------------------------------
# Issue 10: jsonschema's default resolver read `file://` refs (a form leaked a file's content in its 422)
# and fetched `http://` refs from inside the write transaction; `^(a+)+$` held the worker for minutes.

SECRET = {"const": "TOP-SECRET"}


def task_form(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def deploy_problems(forms: dict[str, dict[str, Any]]) -> list[str]:
    """Deploy a one-task process whose task uses ``note.json`` with ``forms``; return the refusal."""
    files = {"probe.bpmn": process(USER_TASK, lanes("police_bureau"))}
    files.update({name: json.dumps(schema) for name, schema in forms.items()})
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files)
    return caught.value.english


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.json"
    path.write_text(json.dumps(SECRET), encoding="utf-8")
    return path


def test_a_file_ref_is_refused_at_deploy_naming_the_form_and_the_ref(secret_file: Path) -> None:
    ref = secret_file.as_uri()
    problems = deploy_problems({"note.json": task_form(note={"$ref": ref})})
    assert len(problems) == 1
    assert problems[0].startswith("note.json: $ref")
    assert ref in problems[0] and "outside the bundle" in problems[0]
    assert "TOP-SECRET" not in " ".join(problems)


@pytest.mark.parametrize(
    ("keyword", "ref"),
    [
        ("$ref", "http://127.0.0.1:9/secret.json"),
        ("$ref", "https://json-schema.org/draft/2020-12/schema"),
        ("$ref", "//127.0.0.1:9/x.json"),
        ("$ref", "../forms/plan_review.json"),
        ("$dynamicRef", "http://127.0.0.1:9/secret.json#meta"),
    ],
)
def test_refs_leaving_the_bundle_are_refused_at_deploy(keyword: str, ref: str) -> None:
    problems = deploy_problems({"note.json": task_form(note={keyword: ref})})
    assert problems == [
        f"note.json: {keyword} {ref!r} points outside the bundle; a form may refer only to itself "
        "('#/$defs/x') or to another form of the bundle by file name ('other.json#/$defs/x')"
    ]


def test_a_remote_id_is_refused_at_deploy() -> None:
    schema = {**task_form(note={"$ref": "secret.json"}), "$id": "http://127.0.0.1:9/forms/"}
    problems = deploy_problems({"note.json": schema})
    assert any("$id 'http://127.0.0.1:9/forms/' is not allowed" in p for p in problems), problems
    assert any("'secret.json' points outside the bundle" in p for p in problems), problems


def test_a_remote_ref_hidden_behind_a_local_pointer_is_refused(secret_file: Path) -> None:
    """The check follows local pointers, also into keywords JSON Schema does not know."""
    schema = {**task_form(note={"$ref": "#/x-hidden"}), "x-hidden": {"$ref": secret_file.as_uri()}}
    problems = deploy_problems({"note.json": schema})
    assert len(problems) == 1 and secret_file.as_uri() in problems[0]


def test_a_pointer_to_nothing_is_refused_at_deploy() -> None:
    problems = deploy_problems({"note.json": task_form(note={"$ref": "#/$defs/missing"})})
    assert problems == ["note.json: $ref '#/$defs/missing' points to nothing"]


def test_a_local_ref_works() -> None:
    schema = {
        **task_form(code={"$ref": "#/$defs/code", "title": "编号"}),
        "$defs": {"code": {"type": "string", "maxLength": 4}},
    }
    assert validate_submission(schema, {"code": "A1"}) == []
    errors = errors_by_field(schema, {"code": "A12345"})
    assert list(errors) == ["code"] and errors["code"].message_en == "编号 is too long (at most 4)."


def test_a_ref_to_another_form_of_the_bundle_works() -> None:
    files = {
        "probe.bpmn": process(USER_TASK, lanes("police_bureau")),
        "note.json": json.dumps(
            task_form(town={"$ref": "common.json#/$defs/town"}, who={"$ref": "people.json"})
        ),
        "common.json": json.dumps({"type": "object", "$defs": {"town": {"enum": ["gushan", "boyu"]}}}),
        "people.json": json.dumps({"type": "object", "required": ["name"], "properties": {"name": {}}}),
    }
    specs = parse_bundle(files)
    assert specs.forms.problems == []
    assert specs.forms.validate("note.json", {"town": "gushan", "who": {"name": "张三"}}) == []
    errors = {e.field: e for e in specs.forms.validate("note.json", {"town": "paris", "who": {}})}
    assert set(errors) == {"town", "who.name"}
    assert "取值不在允许范围内" in errors["town"].message


def test_a_stored_form_with_a_bad_ref_loads_but_refuses_submissions_without_reading_anything(
    secret_file: Path,
) -> None:
    """A bundle deployed before these rules still loads; only its bad form refuses, and never resolves."""
    files = {
        "probe.bpmn": process(USER_TASK, lanes("police_bureau")),
        "note.json": json.dumps(task_form(note={"$ref": secret_file.as_uri()})),
        "fine.json": json.dumps(task_form(note={"type": "string"})),
    }
    specs = parse_bundle(files, stored=True)
    with pytest.raises(FormError) as caught:
        specs.forms.validate("note.json", {"note": "a"})
    assert secret_file.as_uri() in str(caught.value) and "TOP-SECRET" not in str(caught.value)
    assert specs.forms.validate("fine.json", {"note": "a"}) == []


def test_a_form_refusing_through_another_form_refuses_too(secret_file: Path) -> None:
    bundle = FormBundle(
        {
            "note.json": task_form(note={"$ref": "leaky.json"}),
            "leaky.json": task_form(note={"$ref": secret_file.as_uri()}),
        }
    )
    assert [problem.split(" / ", 1)[1] for problem in bundle.problems] == [
        f"$ref {secret_file.as_uri()!r} points outside the bundle; a form may refer only to "
        "itself ('#/$defs/x') or to another form of the bundle by file name ('other.json#/$defs/x')"
    ]
    assert bundle.problems[0].startswith(f"leaky.json: $ref {secret_file.as_uri()!r} 指向流程定义包之外")
    with pytest.raises(FormError):
        bundle.validate("note.json", {"note": "a"})


def test_patterns_run_on_re2() -> None:
    schema = task_form(code={"type": "string", "pattern": "^[0-9]{6}$", "title": "邮编"})
    assert validate_submission(schema, {"code": "264200"}) == []
    errors = errors_by_field(schema, {"code": "26420"})
    assert errors["code"].message == "“邮编”格式不正确"
    assert (
        errors["code"].keyword == "pattern"
        and errors["code"].message_en == "邮编 is not in the expected format."
    )


EVIL = "^(a+)+$"
ATTACK = "a" * 30 + "!"  # Python's backtracking engine needs about 2**30 steps to refuse this


def test_a_catastrophic_pattern_answers_at_once_with_the_right_error() -> None:
    schema = task_form(note={"type": "string", "pattern": EVIL})
    started = time.perf_counter()
    errors = errors_by_field(schema, {"note": ATTACK})
    assert time.perf_counter() - started < 1
    assert errors["note"].keyword == "pattern"
    assert validate_submission(schema, {"note": "aaaa"}) == []


def test_pattern_properties_and_additional_properties_run_on_re2() -> None:
    """jsonschema's additionalProperties matched patternProperties' keys with Python's engine too."""
    schema = {
        "type": "object",
        "patternProperties": {EVIL: {"type": "string"}},
        "additionalProperties": False,
    }
    started = time.perf_counter()
    errors = validate_submission(schema, {ATTACK: "x", "aaa": 1})
    assert time.perf_counter() - started < 1
    assert {e.field: (e.keyword, e.message_en) for e in errors} == {
        "(form)": ("additionalProperties", f"The form has fields it does not define: {ATTACK}."),
        "aaa": ("type", "This field must be text."),
    }


def test_text_that_is_not_unicode_matches_no_pattern() -> None:
    """A lone surrogate is valid JSON ("\\ud800") but not UTF-8, which RE2 reads: refused, no exception."""
    schema = {
        **task_form(note={"type": "string", "pattern": ".*"}),
        "patternProperties": {"^x": {}},
        "additionalProperties": False,
    }
    errors = validate_submission(schema, {"note": "\ud800", "x\ud800": 1})
    assert [e.field for e in errors] == ["(form)", "note"]


@pytest.mark.parametrize(
    "schema",
    [
        task_form(note={"type": "string", "pattern": r"^(a)\1$"}),
        task_form(note={"type": "string", "pattern": "^(?=a)a+$"}),
        task_form(note={"type": "string", "pattern": "^(?<!b)a$"}),
        {"type": "object", "patternProperties": {r"^(x)\1": {}}},
    ],
    ids=["backreference", "lookahead", "lookbehind", "pattern_property_backreference"],
)
def test_patterns_re2_cannot_run_are_refused_at_deploy(schema: dict[str, Any]) -> None:
    problems = deploy_problems({"note.json": schema})
    assert len(problems) == 1
    assert problems[0].startswith("note.json: pattern ")
    assert "backreferences, lookaround" in problems[0]


def test_unevaluated_properties_with_pattern_properties_are_refused() -> None:
    """jsonschema's unevaluatedProperties matches patternProperties' keys with Python's engine."""
    schema = {"type": "object", "patternProperties": {"^x": {}}, "unevaluatedProperties": False}
    problems = deploy_problems({"note.json": schema})
    assert len(problems) == 1 and "unevaluatedProperties cannot be used" in problems[0]
