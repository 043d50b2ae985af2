"""Limits on what a request may carry, checked before any view reads it (API and web alike).

The body's size is bounded by Flask's MAX_CONTENT_LENGTH (werkzeug answers 413 from the Content-Length,
before the body is read). A JSON body is parsed once here: nesting past ``max_json_depth`` (the standard
parser recursed until RecursionError, a 500), a NUL character anywhere (PostgreSQL refuses it in text and
JSON), an integer the storage's 64-bit JSON encoder cannot write and a non-finite number are refused with
the place named, before anything is saved. Query strings and form fields are checked for NUL too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import NotFound

from service.usecases.errors import InvalidInputError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NUL_ZH, NUL_EN = "不能包含空字符（NUL）", "Must not contain the NUL character"


def _deep(max_depth: int) -> InvalidInputError:
    return InvalidInputError(
        "请求内容嵌套超过 {depth} 层，无法处理",
        english="The request nests deeper than {depth} levels and cannot be processed",
        depth=max_depth,
        errors={"_request": [f"嵌套超过 {max_depth} 层", f"Nested deeper than {max_depth} levels"]},
    )


def _problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str):
        return (NUL_ZH, NUL_EN) if "\x00" in value else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return "整数超出 64 位范围，无法保存", "The integer is beyond the 64-bit range and cannot be stored"
    if isinstance(value, float) and not math.isfinite(value):
        return "应为有限的数字", "Must be a finite number"
    return None


def check_json(value: Any, max_depth: int) -> None:
    """Refuse ``value`` (parsed JSON) nested deeper than ``max_depth`` or holding an unstorable value."""
    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    errors: dict[str, list[str]] = {}
    while pending and len(errors) < 20:
        item, path, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise _deep(max_depth)
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and "\x00" in key:
                    errors[path or "_request"] = [f"键{NUL_ZH}", f"Keys: {NUL_EN}"]
                if isinstance(key, str):
                    child_path = f"{path}.{key}" if path else key
                else:
                    child_path = f"{path}[{key}]"
                pending.append((child, child_path, depth + 1))
        elif (problem := _problem(item)) is not None:
            errors[path or "_request"] = list(problem)
    if errors:
        raise InvalidInputError(
            "提交的数据含有无法保存的值，请按字段提示修改",
            errors=errors,
            english="The submitted data holds values that cannot be stored; correct the fields as indicated",
        )


def check_request() -> None:
    """before_request: the request's path, query, form and JSON body within the service's limits."""
    if "\x00" in request.path:
        raise NotFound()
    sources = [request.args] if request.method in ("GET", "HEAD") else [request.args, request.form]
    errors = {
        key: [NUL_ZH, NUL_EN]
        for source in sources
        for key, text in source.items(multi=True)
        if "\x00" in key or "\x00" in text
    }
    if errors:
        raise InvalidInputError(
            "提交的文字含有空字符（NUL），请删除后重试",
            errors=errors,
            english="The submitted text contains the NUL character; remove it and retry",
        )
    if not request.is_json:
        return
    raw = request.get_data(cache=True)  # beyond MAX_CONTENT_LENGTH: 413 before reading the body
    if not raw:
        return
    max_depth: int = current_app.extensions["auxpolice"].settings.max_json_depth
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _deep(max_depth) from None
    except ValueError:
        return  # not JSON: the argument parser answers 400
    check_json(value, max_depth)


def init_edge(app: Flask, max_request_bytes: int) -> None:
    # Flask defines the key (None: unlimited), so setdefault would keep it unlimited.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    app.before_request(check_request)
