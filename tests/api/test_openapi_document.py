"""The OpenAPI document says what the API does (issue 12, point 2).

Before: the Error schema forbade the message_en every error carries, login (public) required a bearer
token, business-rule 422s were not declared, and path ids had no upper bound.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.auth import rules_of


def spec_of(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/api/openapi.json").get_json()  # type: ignore[no-any-return]


def test_the_error_schema_allows_what_every_error_carries(app: Flask) -> None:
    error = spec_of(app)["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "status", "message", "message_en", "errors"}
    body = app.test_client().get("/api/v1/instances/1").get_json()  # 401
    assert set(body) <= set(error["properties"])


def test_public_operations_need_no_token_and_the_others_do(app: Flask) -> None:
    spec = spec_of(app)
    assert spec["security"] == [{"bearer": []}]
    public = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(getattr(view, "view_class", None), method.lower(), view)
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            operation = spec["paths"][path][method.lower()]
            if "public" in (rules_of(handler) or ()):
                public.append(path)
                assert operation["security"] == [], path
            else:
                assert "security" not in operation, path
    assert public == ["/api/v1/auth/login"]


def test_changing_operations_declare_their_refusals(app: Flask) -> None:
    for path, operations in spec_of(app)["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "patch", "put", "delete"):
                assert {"413", "422", "default"} <= set(operation["responses"]), (method, path)


def test_path_ids_are_bounded_like_their_columns(app: Flask) -> None:
    bounded = 0
    for operations in spec_of(app)["paths"].values():
        for parameter in operations.get("parameters", []):
            if parameter["schema"]["type"] == "integer":
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                bounded += 1
    assert bounded >= 8
