"""A problem found in a bundle, placed where a designer can find it (process and element, or file and line),
stated in Chinese and English (issue 14, point 2).

Deploy refuses a bundle with any ``error``; a ``warning`` is advice shown in a draft's check (bpmnlint's
"warn" rules) and never blocks. ``str(problem)`` is the one-line form deploy's refusal lists:
``<where>: <zh> / <en>``, where is ``process/element``, ``process``, ``file:line:element`` or ``file``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Problem:
    """One reason a bundle cannot be deployed (``error``) or a piece of advice (``warning``)."""

    zh: str
    en: str
    process_id: str | None = None
    element_id: str | None = None
    file: str | None = None
    line: int | None = None
    severity: str = ERROR
    # What found it: ``lint`` (workflows/lint.py), ``parse``, ``camunda``, ``bpmnlint:<rule>``, ...
    rule: str = "lint"
    # The place as the one-line form writes it, when it is more than file or process/element.
    at: str | None = None

    @property
    def where(self) -> str:
        if self.at is not None:
            return self.at
        if self.file:
            return ":".join(str(part) for part in (self.file, self.line, self.element_id) if part)
        if self.process_id:
            return f"{self.process_id}/{self.element_id}" if self.element_id else self.process_id
        return self.element_id or ""

    @property
    def blocks(self) -> bool:
        """An error blocks deploy and publishing; a warning does not."""
        return self.severity == ERROR

    def __str__(self) -> str:
        lead = _common_lead(self.zh, self.en)
        said = self.en if self.zh == self.en else f"{self.zh} / {self.en[len(lead) :]}"
        return f"{self.where}: {said}" if self.where else said


def on_element(process_id: str, element_id: str | None, zh: str, en: str, rule: str = "lint") -> Problem:
    return Problem(zh, en, process_id=process_id, element_id=element_id, rule=rule)


# "<where>: <what>", the one-line form the form and data-label checks still produce (workflows/forms.py,
# workflows/data_labels.py): where is a file name, perhaps followed by "/field".
_WHERE = re.compile(r"^(?P<where>[^\s:]+): (?P<what>.+)$", re.DOTALL)


def from_text(text: str, files: Iterable[str] = (), rule: str = "lint") -> Problem:
    """A problem still stated as one line of text, placed on its file when it names one; its Chinese and
    English halves are split where it has both (``zh / en``), English alone gets a Chinese lead-in."""
    match = _WHERE.match(text)
    if match is None:
        return Problem(f"模型有误：{text}", text, rule=rule)
    where, what = match["where"], match["what"]
    file = where.split("/")[0]
    names = set(files)
    if not (file in names or (not names and "." in file)):
        file = ""
    zh, en = split_languages(what)
    if zh == en:
        zh = f"{'表单或数据标签有误' if file.endswith('.json') else '模型有误'}：{what}"
    return Problem(zh, en, file=file or None, rule=rule, at=where)


def split_languages(what: str) -> tuple[str, str]:
    """``zh / en`` as its two halves; a lead-in before the Chinese (``key: 缺少标题 / missing title``) is
    kept on both. Text without Chinese is returned twice."""
    left, sep, right = what.partition(" / ")
    first = _CJK.search(left) if sep else None
    if first is None:
        return what, what
    cut = left.rfind(": ", 0, first.start())
    lead = left[: cut + 2] if cut >= 0 else ""
    return left, lead + right


def _common_lead(zh: str, en: str) -> str:
    """The ``key: `` both languages start with (said once in the one-line form)."""
    first = _CJK.search(zh)
    cut = zh.rfind(": ", 0, first.start()) if first else -1
    lead = zh[: cut + 2] if cut >= 0 else ""
    return lead if lead and en.startswith(lead) else ""
