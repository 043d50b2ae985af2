"""Errors in the shape of a request come back like every other field error: {"field": ["中文", "English"]}."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from marshmallow import ValidationError, fields, validate

from service.api.field_errors import bilingual
from tests.conftest import User

CJK = re.compile(r"[\u4e00-\u9fff]")


def refusal(check: Callable[[], Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        check()
    messages = caught.value.messages
    assert isinstance(messages, list)
    return str(messages[0])


# Every kind of message the API's schemas can produce (marshmallow's own texts, produced by marshmallow).
MARSHMALLOW_MESSAGES = [
    *(
        refusal(lambda field=field, value=value: field.deserialize(value))  # type: ignore[misc]
        for field, value in [
            (fields.Integer(), "abc"),
            (fields.Float(), "abc"),
            (fields.String(), 12),
            (fields.Boolean(), "perhaps"),
            (fields.List(fields.String()), "abc"),
            (fields.Dict(), "abc"),
            (fields.DateTime(), "yesterday"),
            (fields.Date(), "someday"),
            (fields.String(required=True), None),
        ]
    ),
    refusal(lambda: validate.Range(min=1)(0)),
    refusal(lambda: validate.Range(max=200)(201)),
    refusal(lambda: validate.Range(min=1, max=365)(0)),
    refusal(lambda: validate.Length(min=10)("short")),
    refusal(lambda: validate.Length(max=2)("long")),
    refusal(lambda: validate.Length(min=1, max=2)("")),
    refusal(lambda: validate.Length(equal=3)("ab")),
    refusal(lambda: validate.OneOf(["zh-CN", "en"])("fr")),
    refusal(lambda: validate.Regexp(r"^[a-z]+$")("ABC")),
    "Missing data for required field.",
    "Unknown field.",
]


@pytest.mark.parametrize("message", MARSHMALLOW_MESSAGES)
def test_every_marshmallow_message_has_a_chinese_version(message: str) -> None:
    chinese, english = bilingual({"json": {"field": [message]}})["field"]
    assert CJK.search(chinese), f"no Chinese for {message!r}"
    assert english == message


def test_locations_are_dropped_and_nested_fields_joined() -> None:
    errors = {
        "json": {"roles": {1: ["Must be one of: designer, auditor."]}},
        "query": {"page": ["Unknown field."]},
    }
    assert bilingual(errors) == {
        "roles.1": ["只能是：designer, auditor", "Must be one of: designer, auditor."],
        "page": ["不认识的字段，请删除", "Unknown field."],
    }


def test_a_body_field_named_like_a_request_location_keeps_its_name() -> None:
    errors = {"json": {"files": {"a.bpmn": ["Not a valid string."]}}}
    assert bilingual(errors) == {"files.a.bpmn": ["应为文本", "Not a valid string."]}
    assert bilingual({"json": {"files": ["Missing data for required field."]}}) == {
        "files": ["必填项，不能缺少", "Missing data for required field."]
    }


def test_the_api_answers_with_bilingual_field_errors(users: dict[str, User]) -> None:
    body = users["bureau"].get("/api/v1/queues/police_bureau/tasks?page=0&per_page=abc", expect=422)
    assert body["errors"] == {
        "page": [
            "应在 1 到 1000000 之间",
            "Must be greater than or equal to 1 and less than or equal to 1000000.",
        ],
        "per_page": ["应为整数", "Not a valid integer."],
    }
    body = users["auditor"].get(
        "/api/v1/audit/events?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z", expect=422
    )
    assert body["errors"]["since"] == ["起始时间必须早于截止时间", "Must be before the end time"]
