"""The bundles' data_labels.json: what the keys the service writes are called, checked at deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.usecases.runner import OPERATORS
from service.usecases.starting import START_USE_CASES
from workflows.data_labels import DATA_LABELS_FILE, form_fields, written_keys
from workflows.specs import DefinitionError, ProcessSpecs, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]


def bundle(family: str) -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / family), ROOT / "forms")


def deploy(files: dict[str, str]) -> ProcessSpecs:
    return parse_bundle(files, known_operators=OPERATORS.keys(), known_use_cases=START_USE_CASES)


def with_labels(family: str, change: Any) -> dict[str, str]:
    files = bundle(family)
    labels = json.loads(files[DATA_LABELS_FILE])
    change(labels)
    files[DATA_LABELS_FILE] = json.dumps(labels, ensure_ascii=False)
    return files


def problems_of(files: dict[str, str]) -> str:
    with pytest.raises(DefinitionError) as refused:
        deploy(files)
    return "\n".join(refused.value.problems)


@pytest.mark.parametrize("family", ["recruitment", "appraisal"])
def test_every_key_the_bundled_models_write_has_a_title(family: str) -> None:
    specs = deploy(bundle(family))
    labels = specs.data_labels["labels"]
    assert written_keys(specs) - set(labels) == set()
    assert set(specs.data_labels["order"]) <= set(labels) | set(form_fields(specs))
    for node in labels.values():
        assert node["title"] and node["x-title-en"]


def test_a_form_titles_its_keys_in_its_own_process_only() -> None:
    specs = deploy(bundle("recruitment"))
    assert form_fields(specs, "recruitment")["subject"][0] == "recruitment_start.json"
    assert "subject" not in form_fields(specs, "post_hiring")  # the data label names it there
    assert form_fields(specs, "post_hiring")["findings"][1]["x-title-en"] == "Disqualifying findings"


def test_a_label_without_its_english_title_is_refused() -> None:
    def drop(labels: dict[str, Any]) -> None:
        del labels["labels"]["station_total"]["x-title-en"]
        del labels["labels"]["veto_record"]["properties"]["by"]["title"]

    found = problems_of(with_labels("appraisal", drop))
    assert "station_total: 缺少English标题 / missing English title (x-title-en)" in found
    assert "veto_record.by: 缺少中文标题" in found


def test_a_label_for_a_key_nothing_writes_is_refused() -> None:
    def typo(labels: dict[str, Any]) -> None:
        labels["labels"]["station_totl"] = {"title": "得分", "x-title-en": "Score"}
        labels["order"].append("nowhere")

    found = problems_of(with_labels("appraisal", typo))
    assert "unknown key 'station_totl'" in found
    assert "order names 'nowhere', which has no label" in found


def test_enum_labels_need_both_languages_and_kinds_must_be_known() -> None:
    def break_it(labels: dict[str, Any]) -> None:
        del labels["labels"]["suggested_grade"]["x-enum-labels"]["en"]["competent"]
        labels["labels"]["town"]["x-kind"] = "township"
        labels["labels"]["month"]["x-titel-en"] = "Month"

    found = problems_of(with_labels("appraisal", break_it))
    assert "suggested_grade: x-enum-labels：代码 competent 只有一种语言的标签" in found
    assert " / x-enum-labels: codes competent are labelled in one language only" in found
    assert "town: 未知的 x-kind 'township'" in found and "/ unknown x-kind 'township'" in found
    assert "month: 未知的关键字 x-titel-en / unknown keyword(s) x-titel-en" in found


def test_a_data_labels_file_of_the_wrong_shape_is_refused() -> None:
    files = bundle("appraisal")
    files[DATA_LABELS_FILE] = json.dumps({"station_total": {"title": "得分"}})
    assert 'data_labels.json must be an object with "labels"' in problems_of(files)


def test_a_bundle_without_data_labels_still_deploys() -> None:
    files = bundle("appraisal")
    del files[DATA_LABELS_FILE]
    assert deploy(files).data_labels == {}
