"""Request-shape errors (marshmallow, at the HTTP edge) in the shape of every other field error.

Use cases report field errors as ``{"field": ["中文", "English"]}``. Marshmallow reports
``{"json": {"field": ["English."]}}``, by request location, in English only. This turns the second into the
first: locations dropped, nested fields joined with dots, each message put in Chinese first. Marshmallow's
messages are a fixed set (``default_error_messages`` of its fields and validators), so a table of patterns
covers them; anything else keeps its text in both places rather than being lost.
"""

from __future__ import annotations

import re
from typing import Any

from service.api.fields import month_messages

LOCATIONS = {"json", "query", "form", "files", "headers", "cookies", "view_args"}

# (English pattern, Chinese with the pattern's groups); first match wins.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), chinese)
    for pattern, chinese in [
        (r"Missing data for required field\.", "必填项，不能缺少"),
        (r"Field may not be null\.", "不能为空值"),
        (r"Unknown field\.", "不认识的字段，请删除"),
        (r"Invalid input type\.", "输入格式不正确"),
        (r"Not a valid mapping type\.", "应为对象（键值对）"),
        (r"Not a valid integer\.", "应为整数"),
        (r"Not a valid number\.", "应为数字"),
        (r"Not a valid string\.", "应为文本"),
        (r"Not a valid boolean\.", "应为 true 或 false"),
        (r"Not a valid list\.", "应为列表"),
        (r"Not a valid datetime\.", "应为日期时间（ISO 8601，例如 2026-11-28T09:00:00+08:00）"),
        (r"Not a valid date\.", "应为日期（YYYY-MM-DD）"),
        (r"Not a valid (?:email address|UUID|URL)\.", "格式不正确"),
        (r"String does not match expected pattern\.", "格式不符合要求"),
        (r"Must be greater than or equal to (.+) and less than or equal to (.+)\.", r"应在 \1 到 \2 之间"),
        (r"Must be greater than or equal to (.+)\.", r"不能小于 \1"),
        (r"Must be less than or equal to (.+)\.", r"不能大于 \1"),
        (r"Length must be between (\d+) and (\d+)\.", r"长度应在 \1 到 \2 个字符之间"),
        (r"Length must be (\d+)\.", r"长度应为 \1 个字符"),
        (r"Shorter than minimum length (\d+)\.", r"长度不能少于 \1 个字符"),
        (r"Longer than maximum length (\d+)\.", r"长度不能超过 \1 个字符"),
        (r"Must be one of: (.+)\.", r"只能是：\1"),
    ]
]
# Our own validators' messages, written in Chinese: their English.
ENGLISH = {
    "起始时间必须早于截止时间": "Must be before the end time",
    "不能包含空字符（NUL）": "Must not contain the NUL character",
    "起始日期不能晚于截止日期": "Must not be after the end date",
    "未知的操作代码": "Unknown action code",
    **dict(month_messages()),
}


def bilingual(errors: Any) -> dict[str, list[str]]:
    """Flatten marshmallow's errors to ``{"field.sub": ["中文", "English"], ...}``."""
    if isinstance(errors, dict) and set(errors) <= LOCATIONS:  # webargs: {location: {field: [...]}}
        flat: dict[str, list[str]] = {}
        for by_field in errors.values():
            for field, (chinese, english) in _flatten(by_field, "").items():
                if field in flat:  # the same name refused in two places of the request
                    chinese, english = f"{flat[field][0]}；{chinese}", f"{flat[field][1]} {english}"
                flat[field] = [chinese, english]
        return flat
    return _flatten(errors, "")


def _flatten(errors: Any, prefix: str) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list | tuple):
        messages = [str(message) for message in errors if not isinstance(message, dict | list)]
        if messages:
            flat[prefix or "_request"] = [
                "；".join(_chinese(m) for m in messages),
                " ".join(ENGLISH.get(m, m) for m in messages),
            ]
        for nested in (message for message in errors if isinstance(message, dict | list)):
            flat.update(_flatten(nested, prefix))
    else:
        flat[prefix or "_request"] = [_chinese(str(errors)), ENGLISH.get(str(errors), str(errors))]
    return flat


def _chinese(message: str) -> str:
    if message in ENGLISH:
        return message
    for pattern, chinese in PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return match.expand(chinese)
    return message
