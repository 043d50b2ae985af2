"""HTTP API: flask-smorest blueprints; every error leaves as {code, status, message, errors}."""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, make_response, request
from flask_smorest import Api
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.api.edge import init_edge
from service.api.field_errors import bilingual
from service.api.fields import IdConverter
from service.api.schemas import ErrorSchema
from service.auth import rules_of, satisfies
from service.context import ERROR_PAGE, ServiceContext
from service.usecases.directory import Caller, authenticate
from service.usecases.errors import ForbiddenError, ServiceError
from service.usecases.refusals import record_refusal

log = logging.getLogger(__name__)

# Messages for the HTTP errors the framework raises itself: Chinese, and English second.
HTTP_MESSAGES = {
    400: "请求格式错误：请求体不是有效的 JSON，或缺少必要内容",
    401: "请先登录",
    403: "无权执行该操作",
    404: "请求的资源不存在",
    405: "不支持该请求方法",
    409: "操作与当前状态冲突",
    413: "请求内容过大",
    415: "请以 application/json 提交",
    422: "提交的数据未通过校验，请按字段提示修改",
    500: "服务器内部错误，已记录；请稍后重试或联系管理员",
}
HTTP_MESSAGES_EN = {
    400: "Malformed request: the body is not valid JSON or lacks required content",
    401: "Please log in first",
    403: "You are not allowed to do this",
    404: "The requested resource does not exist",
    405: "This request method is not supported",
    409: "The action conflicts with the current state",
    413: "The request is too large",
    415: "Please submit application/json",
    422: "The submitted data failed validation; correct the fields as indicated",
    500: "Internal server error, logged; please retry later or contact the administrator",
}


# PostgreSQL's "try again" errors: deadlock detected, serialization failure.
TRANSIENT_SQLSTATES = {"40P01", "40001"}
BUSY_RETRY_AFTER_SECONDS = 5


def is_busy(error: OperationalError) -> bool:
    """A lock wait that ran out: SQLite's "database is locked", PostgreSQL's lock_not_available."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":
        return True
    return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)


def error_body(status: int, message: str, message_en: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "message_en": message_en,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def answer(status: int, message: str, message_en: str, errors: Any = None) -> tuple[Response, int]:
    """The one shape of every refusal: JSON for the API, the web's error page for a page."""
    render = current_app.extensions.get(ERROR_PAGE)
    if render is not None and not request.path.startswith("/api/"):
        return make_response(render(status, message, message_en)), status
    return jsonify(error_body(status, message, message_en, errors)), status


def context() -> ServiceContext:
    return context_of(current_app)


def context_of(app: Flask) -> ServiceContext:
    return app.extensions["auxpolice"]  # type: ignore[no-any-return]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def caller() -> Caller:
    """Authenticate the request's bearer token (once per request)."""
    if "caller" not in g:
        g.caller = authenticate(context(), bearer_token())
    return g.caller  # type: ignore[no-any-return]


def _check_access() -> None:
    """Deny by default: an API endpoint runs only for callers its declaration admits."""
    if not request.path.startswith("/api/v1/") or request.endpoint is None:
        return
    view = current_app.view_functions[request.endpoint]
    view_class = getattr(view, "view_class", None)
    method = request.method.lower() if request.method != "HEAD" else "get"
    rules = rules_of(getattr(view_class, method, None) if view_class else view)
    if rules is None:
        raise ForbiddenError("该接口未声明访问权限，默认拒绝")
    if "public" in rules:
        return
    if not satisfies(caller(), rules):
        raise ForbiddenError("您的角色无权执行该操作")


def _record_refusal(status: int, message: str) -> None:
    """Keep refused attempts in the audit log (in their own transaction: the refused one rolled back)."""
    refused_access = status in (401, 403)
    refused_change = status in (409, 422) and request.method not in ("GET", "HEAD")
    if not request.path.startswith("/api/") or not (refused_access or refused_change):
        return
    actor = g.caller.username if "caller" in g else "anonymous"
    try:
        record_refusal(context(), actor, request.method, request.path, status, message)
    except Exception:  # noqa: BLE001 - the refusal answer must go out even if the log write fails
        log.exception("could not record a refused action")


class ServiceApi(Api):
    ERROR_SCHEMA = ErrorSchema  # every error carries message_en too


# Refusals every changing operation can answer besides its own: a business rule (422) or a body too large.
WRITE_REFUSALS = {
    "413": "请求内容过大 The request body is too large",
    "422": "数据或业务规则不允许 Refused by validation or a business rule",
}


def _declare_refusals(api: Api) -> None:
    """Declare in the spec what every operation may answer besides its success: a changing operation's
    422 (business rules) and 413; a public operation needs no token."""
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if method in ("post", "put", "patch", "delete"):
                for status, description in WRITE_REFUSALS.items():
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
            view = _view_for(path, method)
            if view is not None and "public" in (rules_of(view) or ()):
                operation["security"] = []


def _view_for(path: str, method: str) -> Any:
    flask_path = path.replace("{", "<").replace("}", ">")
    for rule in current_app.url_map.iter_rules():
        if rule.rule.replace("int:", "") == flask_path and method.upper() in (rule.methods or ()):
            view = current_app.view_functions[rule.endpoint]
            view_class = getattr(view, "view_class", None)
            return getattr(view_class, method, None) if view_class else view
    return None


def init_api(app: Flask) -> Api:
    # Before any route exists: every integer in a URL is a database id, bounded like its column.
    app.url_map.converters["int"] = IdConverter
    init_edge(app, context_of(app).settings.max_request_bytes)
    app.config.setdefault("API_TITLE", "auxpolice 一村一辅警 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = ServiceApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )

    from service.api import (
        accounts,
        admin,
        appraisals,
        audit_log,
        bulk,
        calendar,
        campaigns,
        case_notes,
        definitions,
        draft_import,
        drafts,
        inbox,
        incidents,
        instances,
        migrations,
        notifications,
        officers,
        pay,
        sandbox,
        tasks,
        training,
        versions,
        welfare,
    )

    for module in (
        accounts,
        admin,
        definitions,
        draft_import,
        drafts,
        instances,
        tasks,
        campaigns,
        calendar,
        appraisals,
        audit_log,
        incidents,
        officers,
        migrations,
        versions,
        sandbox,
        notifications,
        bulk,
        case_notes,
        inbox,
        training,
        welfare,
        pay,
    ):
        api.register_blueprint(module.blp)

    # Access first, then the edge's limits on the request (registered by init_edge, run in that order).
    app.before_request_funcs.setdefault(None, []).insert(0, _check_access)
    with app.app_context():
        _declare_refusals(api)

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Any:
        _record_refusal(error.status, error.message)
        return answer(error.status, error.message, error.message_en, error.errors)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") if isinstance(data, dict) else None
        if (
            status == 422
            and isinstance(errors, dict)
            and "json" in errors
            and not isinstance(errors["json"], dict)
        ):
            status = 400
        if status == 422 and errors is not None:
            errors = bilingual(errors)
        message = HTTP_MESSAGES.get(status, error.description or HTTPStatus(status).phrase)
        message_en = HTTP_MESSAGES_EN.get(status, error.description or HTTPStatus(status).phrase)
        _record_refusal(status, message)
        response, status = answer(status, message, message_en, errors)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response, status

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Any:
        # A uniqueness race lost to a concurrent request (e.g. the same business key twice).
        message = "数据冲突：该记录已被其他请求创建或修改，请刷新后重试"
        _record_refusal(409, message)
        english = "Data conflict: another request created or changed this record; refresh and retry"
        return answer(409, message, english)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, OperationalError) and is_busy(error):
            # Another transaction held the lock longer than we wait (LOCK_WAIT_SECONDS): nothing was
            # written; the client may simply try again shortly.
            log.warning("database busy on %s %s: %s", request.method, request.path, error.orig)
            message = "系统繁忙：数据库正在处理其他操作，本次操作未生效，请稍后重试"
            english = "Busy: the database is handling other work; this action was not applied, retry shortly"
            response, status = answer(503, message, english)
            response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
            return response, status
        if (
            isinstance(error, OperationalError)
            and getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES
        ):
            # PostgreSQL gave up one of two transactions waiting for each other; nothing was written.
            log.warning(
                "transaction aborted by the database on %s %s: %s", request.method, request.path, error.orig
            )
            message = "系统繁忙：该操作与其他操作同时修改了相同数据，未生效，请重试"
            english = (
                "Busy: this action collided with another one on the same data and was not applied; retry"
            )
            _record_refusal(409, message)
            return answer(409, message, english)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return answer(500, HTTP_MESSAGES[500], HTTP_MESSAGES_EN[500])

    return api
