"""Compare two versions of one process (issue 14, point 4): what ``workflows.version_diff`` finds between
their bundles, named for people in Chinese and English (elements by name, lanes by department, forms by
title), with the markers the diagrams of both versions show. Designers, admins and auditors read it, as
they read the definitions area."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel
from service.usecases.definition_catalogue import may_read
from service.usecases.diagrams import lane_label, served_diagram
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.names import Name, department_names
from service.usecases.workbench.diff_labels import (
    ELEMENT_REFERENCES,
    FIELD_TYPES,
    FORM_REFERENCE,
    STATUS,
    YES_NO,
    attribute_label,
    kind_label,
)
from workflows.diagram import process_file
from workflows.version_diff import BundleDiff, Element, diff_bundles
from workflows.version_tables import Change

YES, NO = Name("是", "Yes"), Name("否", "No")


def _bi(name: Name) -> dict[str, str]:
    return {"zh": name.zh, "en": name.en}


def _require_reader(caller: Caller) -> None:
    if not may_read(caller):
        raise ForbiddenError(
            "只有流程设计人员、系统管理员和审计人员可以查看流程定义",
            english="Only process designers, administrators and auditors may read process definitions",
        )


def _definition(session: Session, definition_id: int) -> DefinitionModel:
    definition = session.get(DefinitionModel, definition_id)
    if definition is None:
        raise NotFoundError(
            "流程定义 {definition_id} 不存在",
            english="Process definition {definition_id} does not exist",
            definition_id=definition_id,
        )
    return definition


def previous_version(session: Session, definition: DefinitionModel) -> DefinitionModel | None:
    """The version of the same process just before ``definition``."""
    return session.scalars(
        select(DefinitionModel)
        .where(
            DefinitionModel.process_id == definition.process_id,
            DefinitionModel.version < definition.version,
        )
        .order_by(DefinitionModel.version.desc())
        .limit(1)
    ).first()


def versions_of(ctx: ServiceContext, caller: Caller, definition_id: int) -> list[DefinitionModel]:
    """Every version of the process of ``definition_id``, newest first (the page's version choices)."""
    _require_reader(caller)
    with ctx.database.reading() as session:
        process_id = _definition(session, definition_id).process_id
        return list(
            session.scalars(
                select(DefinitionModel)
                .where(DefinitionModel.process_id == process_id)
                .order_by(DefinitionModel.version.desc())
            )
        )


def resolve_pair(
    ctx: ServiceContext, caller: Caller, from_id: int | None, to_id: int
) -> tuple[int | None, int]:
    """The two versions compared: ``from_id`` or, when absent, the version just before ``to_id``."""
    _require_reader(caller)
    if from_id is not None:
        return from_id, to_id
    with ctx.database.reading() as session:
        previous = previous_version(session, _definition(session, to_id))
        return (previous.id if previous else None), to_id


def compare_versions(
    ctx: ServiceContext,
    caller: Caller,
    from_id: int,
    to_id: int,
    lang: str = "zh-CN",
    *,
    diagrams: bool = True,
) -> dict[str, Any]:
    """What changed from version ``from_id`` to version ``to_id`` of one process, named for people, with
    both diagrams (labelled in ``lang``) and their markers."""
    _require_reader(caller)
    with ctx.database.reading() as session:
        old, new = _definition(session, from_id), _definition(session, to_id)
        if old.process_id != new.process_id:
            raise InvalidInputError(
                "只能比较同一流程的两个版本：{a} 与 {b} 是不同的流程",
                errors={"to": ["不是同一流程的版本", "Not a version of the same process"]},
                english="Only two versions of the same process can be compared: {a} and {b} differ",
                a=old.name,
                b=new.name,
            )
        before = _files(session, old)
        after = _files(session, new)
        departments = department_names(session)
    diff = diff_bundles(before, after)
    namer = _Namer(diff, before, after, departments)
    compared: dict[str, Any] = {
        "process_id": new.process_id,
        "from": _version(old),
        "to": _version(new),
        "identical": old.bundle_sha256 == new.bundle_sha256,
        "files": [
            {"name": f.name, "status": f.status, "status_label": _bi(STATUS[f.status])} for f in diff.files
        ],
        "elements": sorted((namer.element(e) for e in diff.elements), key=_reading_order(new.process_id)),
        "decisions": [namer.decision(d) for d in diff.decisions],
        "forms": namer.forms(),
        "labels": [namer.field(f) for f in diff.labels],
        "markers": _markers(diff, new.process_id),
    }
    if diagrams:
        compared["diagrams"] = {
            "from": _diagram(before, old.process_id, departments, lang),
            "to": _diagram(after, new.process_id, departments, lang),
        }
    return compared


_STATUS_ORDER = {"added": 0, "changed": 1, "removed": 2}


def _reading_order(process_id: str) -> Any:
    """The process shown first, then added, changed, removed; tasks and events before flows and lanes."""

    def key(element: dict[str, Any]) -> tuple[Any, ...]:
        return (
            element["process_id"] != process_id,
            element["process_id"],
            _STATUS_ORDER[element["status"]],
            element["kind"] in ("sequenceFlow", "lane"),
            element["name"]["zh"],
        )

    return key


def _files(session: Session, definition: DefinitionModel) -> dict[str, str]:
    bundle = session.get(BundleModel, definition.bundle_sha256)
    return dict(bundle.files) if bundle else {}


def _version(definition: DefinitionModel) -> dict[str, Any]:
    return {
        "id": definition.id,
        "version": definition.version,
        "name": definition.name,
        "bundle_sha256": definition.bundle_sha256,
        "deployed_by": definition.deployed_by,
        "deployed_at": definition.deployed_at.isoformat(),
    }


def _diagram(
    files: Mapping[str, str], process_id: str, departments: Mapping[str, Name], lang: str
) -> str | None:
    xml = process_file(files, process_id)
    if xml is None:
        return None
    try:
        return served_diagram(xml, {}, departments, lang)
    except ValueError:  # a DOCTYPE: never served (deploy refuses one anyway)
        return None


def _markers(diff: BundleDiff, process_id: str) -> dict[str, dict[str, str]]:
    """``{"from": {element id: removed|changed}, "to": {element id: added|changed}}`` of the process shown."""
    markers: dict[str, dict[str, str]] = {"from": {}, "to": {}}
    for change in diff.elements:
        element = change.element
        if element.process_id != process_id:
            continue
        if change.status != "added":
            markers["from"][element.element_id] = change.status
        if change.status != "removed":
            markers["to"][element.element_id] = change.status
    return markers


class _Namer:
    """Names of elements, lanes, forms and values, from the version each value belongs to."""

    def __init__(
        self,
        diff: BundleDiff,
        before: Mapping[str, str],
        after: Mapping[str, str],
        departments: Mapping[str, Name],
    ) -> None:
        self.diff, self.departments = diff, departments
        self.form_titles = {"before": _form_titles(before), "after": _form_titles(after)}

    def element_name(self, element: Element, side: str) -> Name:
        kind = kind_label(element.kind)
        if element.kind == "lane" and element.name:
            return self.lane(element.name)
        if element.name:
            return Name(element.name, element.name_en or element.name)
        if element.kind == "sequenceFlow":
            source = self.reference(element.process_id, element.attributes.get("source", ""), side)
            target = self.reference(element.process_id, element.attributes.get("target", ""), side)
            return Name(f"{source.zh} → {target.zh}", f"{source.en} → {target.en}")
        return kind

    def reference(self, process_id: str, element_id: str, side: str) -> Name:
        elements = self.diff.elements_before if side == "before" else self.diff.elements_after
        found = elements.get(process_id, {}).get(element_id)
        if found is None:
            return Name(element_id, element_id)
        if found.name:
            return Name(found.name, found.name_en or found.name)
        return kind_label(found.kind)

    def lane(self, code: str) -> Name:
        return Name(
            lane_label(code, {}, self.departments, "zh-CN"), lane_label(code, {}, self.departments, "en")
        )

    def value(
        self, element: Element | None, attribute: str, value: str | None, side: str
    ) -> dict[str, str] | None:
        if value is None:
            return None
        if attribute == "lane":
            return _bi(self.lane(value))
        if attribute in ELEMENT_REFERENCES and element is not None:
            names = [
                self.reference(element.process_id, v.strip(), side) for v in value.split(",") if v.strip()
            ]
            return {"zh": "、".join(n.zh for n in names), "en": ", ".join(n.en for n in names)}
        if attribute == FORM_REFERENCE:
            title = self.form_titles[side].get(value)
            return (
                _bi(Name(f"{title.zh}（{value}）", f"{title.en} ({value})"))
                if title
                else {"zh": value, "en": value}
            )
        if attribute in YES_NO:
            return _bi(YES if value.strip().lower() == "true" else NO)
        if attribute == "type" and value in FIELD_TYPES:
            return _bi(FIELD_TYPES[value])
        return {"zh": value, "en": value}

    def changes(
        self, changes: tuple[Change, ...], before: Element | None, after: Element | None
    ) -> list[dict[str, Any]]:
        return [
            {
                "attribute": c.attribute,
                "label": _bi(attribute_label(c.attribute)),
                "before": c.before,
                "after": c.after,
                "before_text": self.value(before, c.attribute, c.before, "before"),
                "after_text": self.value(after, c.attribute, c.after, "after"),
            }
            for c in changes
        ]

    def element(self, change: Any) -> dict[str, Any]:
        element: Element = change.element
        side = "before" if change.status == "removed" else "after"
        lane = element.attributes.get("lane")
        return {
            "process_id": element.process_id,
            "element_id": element.element_id,
            "kind": element.kind,
            "kind_label": _bi(kind_label(element.kind)),
            "name": _bi(self.element_name(element, side)),
            "lane": _bi(self.lane(lane)) if lane else None,
            "file": element.file,
            "status": change.status,
            "status_label": _bi(STATUS[change.status]),
            "changes": self.changes(change.changes, change.before, change.after),
        }

    def decision(self, decision: Any) -> dict[str, Any]:
        return {
            "decision_id": decision.decision_id,
            "name": decision.name,
            "file": decision.file,
            "status": decision.status,
            "status_label": _bi(STATUS[decision.status]),
            "changes": self.changes(decision.changes, None, None),
            "rules": [
                {
                    "rule_id": rule.rule_id,
                    "status": rule.status,
                    "status_label": _bi(STATUS[rule.status]),
                    "entries": [
                        {
                            "column": entry.attribute,
                            "label": _bi(attribute_label(entry.attribute)),
                            "before": entry.before,
                            "after": entry.after,
                            "changed": rule.status == "changed" and entry.before != entry.after,
                        }
                        for entry in rule.entries
                    ],
                }
                for rule in decision.rules
            ],
        }

    def field(self, field: Any) -> dict[str, Any]:
        return {
            "path": field.path,
            "title": {"zh": field.title, "en": field.title_en or field.title},
            "status": field.status,
            "status_label": _bi(STATUS[field.status]),
            "changes": self.changes(field.changes, None, None),
        }

    def forms(self) -> list[dict[str, Any]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for field in self.diff.fields:
            grouped.setdefault(field.form, []).append(self.field(field))
        return [
            {
                "file": name,
                "title": _bi(
                    self.form_titles["after"].get(name)
                    or self.form_titles["before"].get(name)
                    or Name(name, name)
                ),
                "fields": fields,
            }
            for name, fields in grouped.items()
        ]


def _form_titles(files: Mapping[str, str]) -> dict[str, Name]:
    titles = {}
    for name, text in files.items():
        if not name.endswith(".json"):
            continue
        try:
            schema = json.loads(text)
        except ValueError:
            continue
        if isinstance(schema, dict) and isinstance(schema.get("title"), str):
            titles[name] = Name(schema["title"], str(schema.get("x-title-en") or schema["title"]))
    return titles
