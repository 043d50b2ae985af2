"""The audit log's actions by their labels (办结任务 / Task completed), for the auditors' search and exports.

The labels are the web pages' table (service/web/display.py ``ACTION_LABELS``: Chinese msgids, English in
the catalogue); the web layer registers it here when it loads, so the API and the exports, which sit below
the web layer, read the same words people see on the pages (issue 15, point 7).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from babel.support import NullTranslations, Translations

from service.usecases.errors import TRANSLATIONS

_LABELS: dict[str, str] = {}  # action code -> Chinese label


def register(labels: Mapping[str, str]) -> None:
    """Learn the Chinese label of each action code (the web layer's table, registered when it loads)."""
    _LABELS.update({code: str(label) for code, label in labels.items()})


@functools.cache
def _english() -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), ["en"])


def label(code: str, lang: str = "zh-CN") -> str:
    """The action's label in ``lang`` (the code itself when it has none)."""
    chinese = _LABELS.get(code)
    if chinese is None:
        return code
    return _english().gettext(chinese) if lang == "en" else chinese


def labelled() -> dict[str, tuple[str, str]]:
    """Every known action code with its (Chinese, English) labels."""
    return {code: (label(code), label(code, "en")) for code in _LABELS}


def codes_matching(text: str) -> list[str]:
    """The action codes whose Chinese or English label (or code) holds every word of ``text``, ignoring
    case: 办结 finds task_completed, and so do ``Complete task`` and ``task_completed``."""
    words = text.casefold().split()
    if not words:
        return []
    found = []
    for code, (zh, en) in labelled().items():
        haystacks = (zh.casefold(), en.casefold(), code.casefold())
        if any(all(word in haystack for word in words) for haystack in haystacks):
            found.append(code)
    return sorted(found)
