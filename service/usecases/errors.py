"""Errors a use case raises; the API turns each into one JSON shape with a message a person can act on."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every refusal; ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFoundError(ServiceError):
    status = 404
    code = "not_found"


class ForbiddenError(ServiceError):
    status = 403
    code = "forbidden"


class UnauthenticatedError(ServiceError):
    status = 401
    code = "unauthenticated"


class ConflictError(ServiceError):
    status = 409
    code = "conflict"


class InvalidInputError(ServiceError):
    """Input that is well-formed but breaks a rule: form schema, business rule or model step."""

    status = 422
    code = "invalid_input"
