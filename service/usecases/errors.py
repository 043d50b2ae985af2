"""Errors a use case raises; the API turns each into one JSON shape with a message a person can act on.

A message is written in Chinese as a template with ``{name}`` fields, the values passed as keyword
arguments: ``NotFoundError("任务 {task_id} 不存在", task_id=task_id)``. The template is also the msgid of
its English translation in the web interface's catalogue (``service/translations``, extracted by
``./dev i18n``), so the same refusal reads in English for people who chose English. A message composed
at run time (the appraisal rules' list of problems) brings its English along: ``english=...``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


class ServiceError(Exception):
    """Base of every refusal; ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, errors: Any = None, *, english: str | None = None, **params: Any
    ) -> None:
        self.template, self.english, self.params = message, english, params
        self.message = message.format(**params) if params else message
        super().__init__(self.message)
        self.errors = errors

    @property
    def message_en(self) -> str:
        """The message in English, or in Chinese where the catalogue has no translation yet."""
        english = self.english or _english().gettext(self.template)
        return english.format(**self.params) if self.params else english

    def message_in(self, language: str) -> str:
        return self.message_en if language == "en" else self.message


def message_keywords() -> list[str]:
    """Every error class's name: the calls ``./dev i18n`` extracts Chinese templates from."""
    import importlib
    import pkgutil

    import service.usecases

    for module in pkgutil.iter_modules(service.usecases.__path__):
        importlib.import_module(f"service.usecases.{module.name}")  # subclasses live next to their use
    found, pending = [], [ServiceError]
    while pending:
        cls = pending.pop()
        found.append(cls.__name__)
        pending.extend(cls.__subclasses__())
    return sorted(found)


@functools.cache
def _english() -> NullTranslations:
    # The compiled catalogue (./dev compiles it); without it every message stays Chinese.
    return Translations.load(str(TRANSLATIONS), ["en"])


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


class OperatorFailedError(InvalidInputError):
    """A service-task operator refused its input; shown to the person whose action triggered the step."""
