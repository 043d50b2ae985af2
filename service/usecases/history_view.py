"""An instance's history as people read it: what each event was about, by name, and what it recorded, by
title, instead of its raw payload.

A task event names its task (from the task's row, in both languages); a submission is shown with its form's
titles and labels; a handover names both people; the engine's steps name their element (``nameEn`` for
English) and what they produced, titled as the instance's data is (service/usecases/data_view.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import AuditEventModel, HumanTaskModel
from service.usecases.data_view import Item, Labeller, data_view, label_node
from service.usecases.names import person_names
from workflows.extensions import element_english_name
from workflows.specs import ProcessSpecs

Text = tuple[str, str]
_REASSIGNED = {
    "from_user": {"title": "原办理人", "x-title-en": "From", "x-kind": "user"},
    "to_user": {"title": "改派给", "x-title-en": "To", "x-kind": "user"},
    "reason": {"title": "理由", "x-title-en": "Reason"},
}
_TIMER = {
    "due_at": {"title": "到期时间", "x-title-en": "Due", "x-kind": "datetime"},
    "fired_at": {"title": "触发时间", "x-title-en": "Fired", "x-kind": "datetime"},
}
_TAKEN: Text = ("所走分支", "Path taken")
_MIGRATED: dict[str, Text] = {
    "changed": ("修改的环节", "Changed elements"),
    "added": ("新增的环节", "Added elements"),
    "removed": ("删除的环节", "Removed elements"),
}
# What the row itself shows already (the task, the element, the process), or what the data section shows.
_SHOWN_ELSEWHERE = {"element", "name", "process_id", "definition_id", "version", "business_key", "data"}
# An entry on a person's behalf: shown as one line naming the clerk (``_entered_on_behalf``), not as codes.
_ON_BEHALF = {"entered_by", "on_behalf_of"}
_TASK_EVENTS = {"task_ready", "task_claimed", "task_released", "task_cancelled"}
# Details longer than this (fields, plus a table's rows) are folded, so the history stays a list of events.
FOLD_ABOVE = 8


class _Elements:
    """The names of a process's elements, by id, in both languages; and the variable each service task
    writes."""

    def __init__(self, specs: ProcessSpecs, process_id: str) -> None:
        self.names: dict[str, Text] = {}
        self.results: dict[str, str] = {}
        self.english: dict[str, str] = {}
        self.unnamed: set[str] = set()
        try:
            top, subs = specs.spec_for(process_id)
        except KeyError:
            return
        for wf_spec in (top, *subs.values()):
            for spec in wf_spec.task_specs.values():
                if not spec.bpmn_id or not spec.bpmn_name:
                    continue
                self.names[spec.bpmn_id] = (spec.bpmn_name, element_english_name(spec) or spec.bpmn_name)
                if isinstance(spec, ServiceTask) and spec.result_variable:
                    self.results[spec.bpmn_id] = spec.result_variable
        self.english = {zh: en for zh, en in self.names.values()}
        # Elements without a name (a merging gateway): the engine records their id, which is no name.
        self.unnamed = {
            spec.bpmn_id
            for wf_spec in (top, *subs.values())
            for spec in wf_spec.task_specs.values()
            if spec.bpmn_id and not spec.bpmn_name
        }


def history_view(
    session: Session, specs: ProcessSpecs, process_id: str, events: Sequence[AuditEventModel]
) -> list[dict[str, Any]]:
    """Each event with ``about_zh`` / ``about_en`` (its task or element, by name) and ``details`` (items
    as ``data_view`` builds them)."""
    task_ids = sorted({e.task_id for e in events if e.task_id})
    tasks = {
        row.id: row
        for row in session.execute(
            select(
                HumanTaskModel.id, HumanTaskModel.name_zh, HumanTaskModel.name_en, HumanTaskModel.form
            ).where(HumanTaskModel.id.in_(task_ids))
        )
    }
    elements = _Elements(specs, process_id)
    labeller = Labeller()
    rows = []
    for event in events:
        payload: Mapping[str, Any] = event.payload or {}
        task = tasks.get(event.task_id) if event.task_id else None
        about: Text = ("", "")
        if task is not None:
            about = (task.name_zh, task.name_en or task.name_zh)
        elif payload.get("element") in elements.names:
            about = elements.names[payload["element"]]
        elif payload.get("name"):
            about = (str(payload["name"]), str(payload["name"]))
        details = _details(session, labeller, specs, process_id, elements, event.action, payload, task)
        rows.append(
            {
                "id": event.id,
                "seq": event.seq,
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "department_code": event.department_code,
                "process_id": payload.get("process_id") if event.action == "instance_started" else None,
                "about_zh": about[0],
                "about_en": about[1],
                "details": details,
                "size": _size(details),
                "fold": _size(details) > FOLD_ABOVE,
            }
        )
    labeller.resolve(session)
    return rows


def _size(items: Sequence[Item]) -> int:
    """How many lines ``items`` take: a field one, a group its fields, a table its rows."""
    return sum(
        _size(i["children"]) if i["type"] == "group" else len(i["rows"]) if i["type"] == "table" else 1
        for i in items
    )


def _details(
    session: Session,
    labeller: Labeller,
    specs: ProcessSpecs,
    process_id: str,
    elements: _Elements,
    action: str,
    payload: Mapping[str, Any],
    task: Any,
) -> list[Item]:
    found = payload.get("detail")
    detail: Mapping[str, Any] = found if isinstance(found, dict) else {}
    entered = _entered_on_behalf(session, payload)
    if action == "task_taken_on_behalf":
        return entered
    if action == "task_completed":
        form = specs.forms.get(task.form) if task is not None and task.form else None
        return labeller.fields(form or {}, payload.get("submitted") or {})
    if action in _TASK_EVENTS or action == "instance_completed":
        return []  # the task and its department say it all; the final data is the data section's
    if action == "task_reassigned":
        return labeller.fields({"properties": _REASSIGNED}, payload)
    if action == "instance_started":  # once per instance: titled and ordered as the data section is
        view = data_view(session, specs, process_id, payload.get("data") or {})
        return view["fields"] + view["other"]
    if action == "service_executed":
        variable = elements.results.get(str(payload.get("element")))
        if variable is None:
            return []
        item = labeller.item(variable, label_node(specs, process_id, variable), detail.get("result"))
        return [item] if item is not None else []
    if action == "decision_executed":
        result: Mapping[str, Any] = detail.get("result") or {}
        return [
            item
            for key, value in result.items()
            if (item := labeller.item(key, label_node(specs, process_id, key), value)) is not None
        ]
    if action == "gateway_executed":
        taken = [str(name) for name in detail.get("taken") or [] if name not in elements.unnamed]
        if not taken:
            return []
        zh, en = "、".join(taken), ", ".join(elements.english.get(name, name) for name in taken)
        return [
            {"type": "value", "key": "taken", "title_zh": _TAKEN[0], "title_en": _TAKEN[1]}
            | {"value_zh": zh or "—", "value_en": en or "—"}
        ]
    if action == "timer_executed":
        return labeller.fields({"properties": _TIMER}, detail)
    if action == "instance_migrated":
        return _migrated(elements, payload)
    if action == "instance_archived":
        return _archived(elements, payload)
    # Anything else (a compaction, a refusal, a vacancy): its fields under their keys, never as JSON.
    rest = {k: v for k, v in payload.items() if k not in _SHOWN_ELSEWHERE and k not in _ON_BEHALF}
    return entered + labeller.fields({}, rest)


def _entered_on_behalf(session: Session, payload: Mapping[str, Any]) -> list[Item]:
    """``由 <clerk> 代为录入``: a task taken from a person's own queue, or a report entered from the paper
    (service/usecases/on_behalf.py), named by the clerk's display name; nothing for anything else."""
    username = payload.get("entered_by")
    if not isinstance(username, str) or not username:
        return []
    name = person_names(session, [username]).get(username)
    who = name.zh if name else username
    return [
        {"type": "value", "key": "entered_by", "title_zh": "录入方式", "title_en": "Entered"}
        | {
            "value_zh": f"由 {who} 代为录入（依据本人签字的纸质材料）",
            "value_en": f"Entered by {who} on the person's behalf, from their signed paper",
        }
    ]


def _migrated(elements: _Elements, payload: Mapping[str, Any]) -> list[Item]:
    """A migration: the versions, and the elements the target changed, added and removed by name (as the
    event recorded them, else as the instance's version names them, else the id)."""
    found_names, found_diff = payload.get("names"), payload.get("diff")
    recorded: Mapping[str, Any] = found_names if isinstance(found_names, dict) else {}
    diff: Mapping[str, Any] = found_diff if isinstance(found_diff, dict) else {}
    old, new = payload.get("from_version"), payload.get("to_version")
    items: list[Item] = [
        {"type": "value", "key": "versions", "title_zh": "版本", "title_en": "Versions"}
        | {"value_zh": f"第 {old} 版 → 第 {new} 版", "value_en": f"Version {old} → Version {new}"}
    ]
    for key, (title_zh, title_en) in _MIGRATED.items():
        names = [
            tuple(recorded.get(e) or elements.names.get(e) or (e, e)) for e in map(str, diff.get(key) or [])
        ]
        if names:
            items.append(
                {"type": "value", "key": key, "title_zh": title_zh, "title_en": title_en}
                | {"value_zh": "、".join(n[0] for n in names), "value_en": ", ".join(n[1] for n in names)}
            )
    return items


def _archived(elements: _Elements, payload: Mapping[str, Any]) -> list[Item]:
    """An archiving (retention): the elements the instance ran, by name, and what was dropped."""
    path = [elements.names.get(str(e)) for e in payload.get("path") or []]
    named = [name for name in path if name is not None]  # unnamed gateways and events are no names
    days, size = payload.get("retention_days"), payload.get("state_bytes")
    values: list[tuple[str, Text, Text]] = [
        (
            "path",
            ("走过的环节", "Elements run"),
            ("、".join(n[0] for n in named), ", ".join(n[1] for n in named)),
        ),
        ("retention_days", ("保存期限", "Retention"), (f"{days} 天", f"{days} days")),
        ("state_bytes", ("删除的引擎状态", "Engine state dropped"), (f"{size} 字节", f"{size} bytes")),
        (
            "state_sha256",
            ("引擎状态的 SHA-256", "SHA-256 of the engine state"),
            (str(payload.get("state_sha256")),) * 2,
        ),
    ]
    return [
        {"type": "value", "key": key, "title_zh": title[0], "title_en": title[1]}
        | {"value_zh": value[0] or "—", "value_en": value[1] or "—"}
        for key, title, value in values
    ]
