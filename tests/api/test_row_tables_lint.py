"""A form's table lists rows the service provides (``x-rows``, the exam scores' eligible applicants): deploy
refuses a source the service does not know, or a key/input that is not a field of the rows, in both
languages; the bundled forms pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.usecases.form_rows import SOURCES
from tests.conftest import User
from workflows.specs import DefinitionError, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).parents[2]


def recruitment_with(**declared: str) -> dict[str, str]:
    files = attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")
    form = json.loads(files["exam_scores.json"])
    form["properties"]["scores"]["x-rows"].update(declared)
    files["exam_scores.json"] = json.dumps(form, ensure_ascii=False)
    return files


def test_the_bundled_forms_list_known_rows() -> None:
    specs = parse_bundle(recruitment_with(), known_row_sources=SOURCES)
    assert (
        specs.forms["exam_scores.json"]["properties"]["scores"]["x-rows"]["source"] == "eligible_applicants"
    )


def test_an_unknown_source_or_field_is_refused_in_both_languages() -> None:
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(recruitment_with(source="all_applicants"), known_row_sources=SOURCES)
    known = ", ".join(sorted(SOURCES))
    assert refused.value.problems == [
        f"exam_scores.json/scores: x-rows 的行来源 'all_applicants' 不存在（可用：{known}）"
        f" / x-rows names unknown row source 'all_applicants' (known: {known})"
    ]
    with pytest.raises(DefinitionError) as refused:
        parse_bundle(recruitment_with(input="mark"), known_row_sources=SOURCES)
    assert refused.value.problems == [
        "exam_scores.json/scores: x-rows 的 input 必须是数组元素的字段"
        " / x-rows input must name a field of the array's items"
    ]
    # A stored bundle loads again unchecked: its table falls back to the JSON field on the page.
    assert parse_bundle(recruitment_with(source="all_applicants"), stored=True).process_ids


def test_deploy_refuses_an_unknown_source(users: dict[str, User]) -> None:
    files = recruitment_with(source="all_applicants")
    body = users["designer"].post("/api/v1/definitions", {"files": files}, expect=422)
    assert any("all_applicants" in problem for problem in body["errors"]["problems"])
