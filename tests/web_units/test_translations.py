"""Every string a person reads is translated: the English catalogue covers every message extracted from
service/ (Python and templates, as `./dev i18n` extracts them), templates show no Chinese outside `_()`,
and every form and form field has a Chinese title and an English one."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from service.usecases.errors import message_keywords

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "service" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "service" / "web" / "templates"
# The keywords of `./dev i18n`: pybabel's defaults plus those named with -k (the error classes: a use
# case's refusal is translated by its Chinese template, see service/usecases/errors.py).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_": None,
    "gettext": None,
    "lazy_gettext": None,
    **dict.fromkeys(message_keywords()),
}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
# What may hold Chinese in a template: comments, {% trans %} blocks, the literal first argument of _() and
# the two of ngettext().
QUOTED = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""
TRANSLATED = re.compile(
    r"\{#.*?#\}|<!--.*?-->|\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}"
    rf"|\bngettext\(\s*(?:{QUOTED})\s*,\s*(?:{QUOTED})"  # both the singular and the plural
    rf"|\b(?:_|gettext|pgettext|lazy_gettext)\(\s*(?:{QUOTED})",
    re.S,
)
# A language switch names each language in that language (the button back to Chinese reads 中文).
ENDONYMS = {"中文"}


def _service_only(path: str) -> bool:
    relative = Path(os.path.relpath(path, ROOT)).parts
    return (
        not relative
        or relative == (".",)
        or (relative[0] == "service" and not any(p.startswith((".", "__")) for p in relative))
    )


def extracted() -> dict[str, list[str]]:
    """msgid -> where it is used, for every message of service/ (babel.cfg's method map)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    messages: dict[str, list[str]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_service_only
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                messages.setdefault(msgid, []).append(f"{filename}:{line}")
    return messages


def test_messages_are_extracted_from_python_and_templates() -> None:
    places = [place for found in extracted().values() for place in found]
    assert any(".py:" in place for place in places)
    assert any(".html:" in place for place in places)


def test_every_message_has_an_english_translation() -> None:
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    missing = []
    for msgid, places in sorted(extracted().items()):
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None else ""
        translated = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if entry is None or entry.fuzzy or not translated:
            state = "missing" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            missing.append(f"  {msgid!r} ({state}; {', '.join(places[:3])})")
    assert not missing, (
        f"{len(missing)} messages have no English translation in {CATALOGUE.relative_to(ROOT)} "
        "(run ./dev i18n, then translate):\n" + "\n".join(missing)
    )


def test_templates_show_no_chinese_outside_translations() -> None:
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        # Blank out what is translated or invisible, keeping line breaks so line numbers stay right.
        visible = TRANSLATED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for match in CJK.finditer(visible):
            if match.group(0) in ENDONYMS:
                continue
            line = visible.count("\n", 0, match.start()) + 1
            found.append(f"  {template.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert not found, "Chinese text outside _() or {% trans %} in templates:\n" + "\n".join(found)


def test_the_template_check_sees_untranslated_text() -> None:
    sample = "{# 注释 #}<p>{{ _('已翻译') }}：未翻译</p>{% trans %}块{% endtrans %}<!-- 说明 -->"
    visible = TRANSLATED.sub(" ", sample)
    assert CJK.findall(visible) == ["未翻译"]


def _untitled(node: dict[str, Any], path: str) -> list[str]:
    problems = []
    for key, prop in (node.get("properties") or {}).items():
        where = f"{path}{key}"
        problems += [f"{where}: no {name}" for name in ("title", "x-title-en") if not prop.get(name)]
        if prop.get("description") and not prop.get("x-description-en"):
            problems.append(f"{where}: description without x-description-en")
        for holder in (prop, prop.get("items") or {}):
            labels = holder.get("x-enum-labels") or {}
            for language in ("zh", "en") if "enum" in holder else ():
                unlabelled = [v for v in holder["enum"] if str(v) not in (labels.get(language) or {})]
                if unlabelled:
                    problems.append(f"{where}: no x-enum-labels.{language} for {unlabelled}")
        problems += _untitled(prop, f"{where}.")
        if isinstance(prop.get("items"), dict):
            problems += _untitled(prop["items"], f"{where}[].")
    return problems


@pytest.mark.parametrize("form", sorted((ROOT / "forms").glob("*.json")), ids=lambda path: path.name)
def test_forms_have_titles_in_both_languages(form: Path) -> None:
    schema = json.loads(form.read_text(encoding="utf-8"))
    problems = [f"form: no {name}" for name in ("title", "x-title-en") if not schema.get(name)]
    if schema.get("description") and not schema.get("x-description-en"):
        problems.append("form: description without x-description-en")
    problems += _untitled(schema, "")
    assert not problems, f"{form.name}:\n" + "\n".join(problems)


def test_translations_keep_the_fields_of_their_message() -> None:
    """A refusal's template and its English fill the same {fields}: a missing one would fail at run time."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    field = re.compile(r"\{(\w*)\}")
    mismatched = [
        f"  {entry.id!r} -> {entry.string!r}"
        for entry in catalogue
        if isinstance(entry.id, str) and isinstance(entry.string, str) and entry.string
        if set(field.findall(entry.id)) != set(field.findall(entry.string))
    ]
    assert not mismatched, "English translations with other {fields} than their message:\n" + "\n".join(
        mismatched
    )
