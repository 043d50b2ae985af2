"""Structured JSON logs, one line per event, each request's lines carrying its request id.

Nothing here ever logs a header, a body, a password or a token: a request line names the method, path,
status, duration and the user.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    """Send every log record to stderr as one JSON line (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # SpiffWorkflow logs every task state change with the task's data at INFO: too much, and personal data.
    logging.getLogger("spiff").setLevel(logging.WARNING)


def _request_id() -> str:
    incoming = request.headers.get("X-Request-ID", "")
    # Accept a proxy's id only if it looks like one; never echo arbitrary input into logs.
    if incoming and incoming.replace("-", "").isascii() and incoming.replace("-", "").isalnum():
        if len(incoming) <= 64:
            return incoming
    return uuid.uuid4().hex


def init_request_logging(app: Flask) -> None:
    access = logging.getLogger("auxpolice.access")

    def _start() -> None:
        g.request_id = _request_id()
        g.started = time.perf_counter()

    # First of all: a request refused by an earlier check (access, size) keeps or gets its id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id") or _request_id()
        caller = g.get("caller")
        access.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                "user": caller.username if caller is not None else None,
            },
        )
        return response
