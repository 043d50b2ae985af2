"""An instance's data as people read it: each key under its title, values as labels and names, not codes.

Titles are declared, never guessed: a key a form of the process fills in is titled by that form, a key the
service writes by the bundle's ``data_labels.json`` (workflows/data_labels.py). Keys with no title are kept,
under their own key, in ``other``; the service's reserved keys (workflows/data_keys.py) are not shown.

The result is a neutral, bilingual structure the page renders in its language. An item is
``{"type": "value" | "group" | "table", "key", "title_zh", "title_en", ...}``: a value has ``value_zh`` /
``value_en`` (or ``at``, a time the page shows in Beijing time), a group its ``children``, a table its
``columns`` and ``rows`` of values. Codes of villages, towns, departments and people become names with one
lookup per kind for the whole page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from service.usecases import names
from service.usecases.grounds.building import deadline
from workflows.data_keys import is_reserved_key
from workflows.data_labels import form_fields
from workflows.specs import ProcessSpecs

Item = dict[str, Any]
_YES_NO = {True: ("是", "Yes"), False: ("否", "No")}
_NONE = ("—", "—")
_NAMED_KINDS = ("village", "town", "department", "user")


class Labeller:
    """Builds items; the codes they name are collected and turned into names at once by ``resolve``."""

    def __init__(self) -> None:
        # (kind, code, item, "value" | "title"): where a name goes once it is known.
        self._pending: list[tuple[str, str, Item, str]] = []

    # -- building ----------------------------------------------------------------------------------------

    def item(self, key: str, node: Mapping[str, Any] | None, value: Any) -> Item | None:
        """One key and its value under the title ``node`` declares (the key itself when none); None when
        the node hides it (a copy of another field)."""
        node = node or {}
        if node.get("x-hidden"):
            return None
        title_zh = str(node.get("title") or key)
        item: Item = {"key": key, "title_zh": title_zh, "title_en": str(node.get("x-title-en") or title_zh)}
        if isinstance(value, dict):
            item.update(type="group", children=self.fields(node, value))
        elif isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            item.update(type="table", **self._table(node.get("items") or {}, value))
        else:
            item["type"] = "value"
            self._value(item, node, value)
        return item

    def fields(self, node: Mapping[str, Any], values: Mapping[str, Any]) -> list[Item]:
        """An object's fields: those ``node`` declares in its order, then the others (a map's entries,
        titled by their key as ``x-key-kind`` names it)."""
        properties: Mapping[str, Any] = node.get("properties") or {}
        entries = node.get("additionalProperties")
        entry_node = entries if isinstance(entries, dict) else {}
        items = []
        for key in [*(k for k in properties if k in values), *(k for k in values if k not in properties)]:
            built = self.item(str(key), properties.get(key) or entry_node, values[key])
            if built is None:
                continue
            if key not in properties and node.get("x-key-kind") in _NAMED_KINDS:
                self._pending.append((node["x-key-kind"], str(key), built, "title"))
            items.append(built)
        return items

    def _table(self, row_node: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        properties: Mapping[str, Any] = row_node.get("properties") or {}
        keys = [k for k in properties if not properties[k].get("x-hidden") and any(k in r for r in rows)]
        keys += sorted({str(k) for r in rows for k in r if k not in properties}, key=str)
        columns = [self.item(k, properties.get(k), None) or {} for k in keys]
        return {
            "columns": [{"title_zh": c["title_zh"], "title_en": c["title_en"]} for c in columns],
            "rows": [[self._cell(properties.get(k) or {}, row.get(k)) for k in keys] for row in rows],
        }

    def _cell(self, node: Mapping[str, Any], value: Any) -> Item:
        cell: Item = {"type": "value"}
        if isinstance(value, dict):
            # A nested object in a cell reads as "title value, title value".
            parts = [self.item(str(k), (node.get("properties") or {}).get(k), v) for k, v in value.items()]
            shown = [p for p in parts if p is not None and p["type"] == "value"]
            cell["value_zh"] = "，".join(f"{p['title_zh']} {p['value_zh']}" for p in shown)
            cell["value_en"] = ", ".join(f"{p['title_en']} {p['value_en']}" for p in shown)
            return cell
        self._value(cell, node, value)
        return cell

    def _value(self, item: Item, node: Mapping[str, Any], value: Any) -> None:
        kind = node.get("x-kind")
        item["value_zh"], item["value_en"] = _NONE
        if value is None or value == "":
            return
        if isinstance(value, list):
            element_node = node.get("items") or {}
            pairs = [_plain(element_node, element) for element in value]
            item["value_zh"] = "；".join(zh for zh, _en in pairs) if pairs else "（无）"
            item["value_en"] = "; ".join(en for _zh, en in pairs) if pairs else "(none)"
            return
        if kind in _NAMED_KINDS:
            item["value_zh"] = item["value_en"] = str(value)  # until resolve() finds its name
            self._pending.append((kind, str(value), item, "value"))
            return
        if kind == "deadline" and (at := _instant(value)) is not None:
            item["value_zh"], item["value_en"] = deadline(at)
            return
        if kind == "datetime" or node.get("format") == "date-time":
            at = _instant(value)
            if at is not None:
                item["at"] = at
                return
        if kind == "money" and isinstance(value, int | float) and not isinstance(value, bool):
            amount = _number(value, grouped=True)
            item["value_zh"], item["value_en"] = f"{amount} 元", f"CNY {amount}"
            return
        item["value_zh"], item["value_en"] = _plain(node, value)

    # -- names ----------------------------------------------------------------------------------------------

    def resolve(self, session: Session) -> None:
        """Put names in place of the codes collected while building, one lookup per kind."""
        wanted: dict[str, set[str]] = {}
        for kind, code, _item, _slot in self._pending:
            wanted.setdefault(kind, set()).add(code)
        found: dict[str, Mapping[str, names.Name]] = {}
        if "village" in wanted:
            found["village"] = names.village_names(session, wanted["village"])
        if "user" in wanted:
            found["user"] = names.person_names(session, wanted["user"])
        if "department" in wanted:
            found["department"] = names.department_names(session)
        if "town" in wanted:
            found["town"] = {t["code"]: names.Name(t["name_zh"], t["name_en"]) for t in names.towns(session)}
        for kind, code, item, slot in self._pending:
            name = found.get(kind, {}).get(code)
            if name is not None:
                item[f"{slot}_zh"], item[f"{slot}_en"] = name.zh, name.en
        self._pending.clear()


def _plain(node: Mapping[str, Any], value: Any) -> tuple[str, str]:
    """A scalar as people read it: an enum's label, 是/否, a number without a trailing .0."""
    if isinstance(value, bool):
        return _YES_NO[value]
    if value is None:
        return _NONE
    if isinstance(value, int | float):
        text = _number(value)
        return text, text
    if isinstance(value, list | dict):
        return str(value), str(value)
    labels = node.get("x-enum-labels") or {}
    text = str(value)
    return str((labels.get("zh") or {}).get(text, text)), str((labels.get("en") or {}).get(text, text))


def _number(value: float, grouped: bool = False) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if grouped else str(value)


def _instant(value: Any) -> datetime | None:
    """An ISO datetime as an aware instant (one without a zone was written as UTC by the service)."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def label_node(specs: ProcessSpecs, process_id: str, key: str) -> Mapping[str, Any] | None:
    """The title of ``key`` in ``process_id``: its form's field, else the bundle's data label."""
    form = form_fields(specs, process_id).get(key)
    if form is not None:
        return form[1]
    labels: Mapping[str, Any] = specs.data_labels.get("labels") or {}
    node = labels.get(key)
    return node if isinstance(node, dict) else None


def data_view(
    session: Session, specs: ProcessSpecs, process_id: str, data: Mapping[str, Any]
) -> dict[str, list[Item]]:
    """``{"fields": [...], "other": [...]}``: the titled keys in the order the bundle declares, then the
    keys nobody titled (under their key, never hidden); reserved keys are left out."""
    forms = form_fields(specs, process_id)
    labels: Mapping[str, Any] = specs.data_labels.get("labels") or {}
    order: list[str] = list(specs.data_labels.get("order") or [])
    known = [*order, *forms, *labels]
    shown = [key for key in data if isinstance(key, str) and not is_reserved_key(key)]
    titled = sorted((k for k in shown if k in forms or k in labels), key=known.index)
    untitled = sorted(k for k in shown if k not in forms and k not in labels)
    labeller = Labeller()
    fields = [labeller.item(key, forms[key][1] if key in forms else labels[key], data[key]) for key in titled]
    other = [labeller.item(key, None, data[key]) for key in untitled]
    labeller.resolve(session)
    shown_fields = [f for f in fields if f]
    _name_the_form_where_titles_repeat(specs, forms, shown_fields)
    return {"fields": shown_fields, "other": [o for o in other if o]}


def _name_the_form_where_titles_repeat(
    specs: ProcessSpecs, forms: Mapping[str, tuple[str, Mapping[str, Any]]], fields: list[Item]
) -> None:
    """Two forms may title their fields alike (both scoring forms have 考核评分项): then each such field
    says which form it is from, 派出所日常管理考核：考核评分项."""
    counts = Counter(field["title_zh"] for field in fields)
    for field in fields:
        if counts[field["title_zh"]] < 2 or field["key"] not in forms:
            continue
        form = specs.forms.get(forms[field["key"]][0]) or {}
        form_zh = str(form.get("title") or "")
        if form_zh:
            field["title_zh"] = f"{form_zh}：{field['title_zh']}"
            field["title_en"] = f"{form.get('x-title-en') or form_zh}: {field['title_en']}"
