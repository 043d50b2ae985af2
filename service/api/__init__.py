"""HTTP API: flask-smorest blueprints; every error leaves as {code, status, message, errors}."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from service.context import ServiceContext
from service.usecases.directory import Caller, authenticate
from service.usecases.errors import ServiceError

log = logging.getLogger(__name__)

# Chinese messages for the HTTP errors the framework raises itself.
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


def error_body(status: int, message: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors is not None:
        body["errors"] = errors
    return body


def context() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


def caller() -> Caller:
    """Authenticate the request's bearer token (once per request)."""
    if "caller" not in g:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        g.caller = authenticate(context(), token)
    return g.caller  # type: ignore[no-any-return]


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "auxpolice 一村一辅警 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )

    from service.api import appraisals, campaigns, definitions, instances, tasks

    for module in (definitions, instances, tasks, campaigns, appraisals):
        api.register_blueprint(module.blp)

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Any:
        return jsonify(error_body(error.status, error.message, error.errors)), error.status

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
        message = HTTP_MESSAGES.get(status, error.description or HTTPStatus(status).phrase)
        return jsonify(error_body(status, message, errors)), status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body(500, HTTP_MESSAGES[500])), 500

    return api
