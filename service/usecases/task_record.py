"""What a finished task recorded: the submitted form as titled, labelled fields, who submitted it and when,
and where the work went next.

Read from the audit trail, which is the record: the ``task_completed`` event keeps the submission as it
was validated, and the events the same action wrote after it (the chain is in causal order, see
``complete_task``) name the tasks it led to, or the instance's end.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, DepartmentModel, HumanTaskModel, UserModel
from service.usecases.names import Name, village_names

# An action's own events: everything the engine did on its behalf is recorded by ``system``; a timer
# firing starts a new action of its own. Looking further than this many events is never needed.
_NEW_ACTION = ("timer_executed", "instance_started")
_LOOK_AHEAD = 500
_YES_NO = {True: ("是", "Yes"), False: ("否", "No")}


def completion_record(ctx: ServiceContext, detail: dict[str, Any]) -> dict[str, Any] | None:
    """The record of a completed task, given the task as ``tasks.task_detail`` returned it (the access
    rules were applied there); ``None`` for a task completed before the record was kept."""
    with ctx.database.reading() as session:
        event = session.scalars(
            select(AuditEventModel)
            .where(
                AuditEventModel.instance_id == detail["instance_id"],
                AuditEventModel.action == "task_completed",
                AuditEventModel.task_id == detail["id"],
            )
            .order_by(AuditEventModel.id.desc())
            .limit(1)
        ).first()
        if event is None:
            return None
        submitted = event.payload.get("submitted") or {}
        by = detail.get("completed_by") or event.actor
        display_name = session.scalar(select(UserModel.display_name).where(UserModel.username == by))
        next_tasks, ended = _what_followed(session, event)
        schema = detail.get("form_schema") or {}
        villages = village_names(session, _village_codes(schema, submitted))
        return {
            "submitted_by": by,
            "submitted_by_name": display_name or by,
            "submitted_at": detail.get("completed_at") or event.at,
            "fields": labelled_fields(schema, submitted, villages),
            "next_tasks": next_tasks,
            "instance_completed": ended,
        }


def _what_followed(session: Session, completed: AuditEventModel) -> tuple[list[dict[str, Any]], bool]:
    """The user tasks the completion made ready, and whether it ended the instance."""
    events = session.execute(
        select(AuditEventModel.actor, AuditEventModel.action, AuditEventModel.task_id)
        .where(AuditEventModel.instance_id == completed.instance_id, AuditEventModel.id > completed.id)
        .order_by(AuditEventModel.id)
        .limit(_LOOK_AHEAD)
    )
    ready: list[str] = []
    ended = False
    for actor, action, task_id in events:
        if actor != "system" or action in _NEW_ACTION:
            break
        if action == "task_ready" and task_id:
            ready.append(task_id)
        ended = ended or action == "instance_completed"
    if not ready:
        return [], ended
    rows = session.execute(
        select(HumanTaskModel, DepartmentModel.name_zh, DepartmentModel.name_en)
        .outerjoin(DepartmentModel, DepartmentModel.code == HumanTaskModel.department_code)
        .where(HumanTaskModel.id.in_(ready))
    ).all()
    order = {task_id: n for n, task_id in enumerate(ready)}
    followed = [
        {
            "id": task.id,
            "name_zh": task.name_zh,
            "name_en": task.name_en,
            "department_code": task.department_code,
            "department_name_zh": department_zh or task.department_code,
            "department_name_en": department_en or department_zh or task.department_code,
            "state": task.state,
        }
        for task, department_zh, department_en in rows
    ]
    return sorted(followed, key=lambda item: order[item["id"]]), ended


def _village_codes(node: Mapping[str, Any], value: Any) -> Iterator[str]:
    """The values of the fields the form marks ``"x-kind": "village"`` (the plan's rows), at any depth."""
    if isinstance(value, dict):
        for key, element in value.items():
            yield from _village_codes((node.get("properties") or {}).get(key) or {}, element)
    elif isinstance(value, list):
        for element in value:
            yield from _village_codes(node.get("items") or {}, element)
    elif node.get("x-kind") == "village" and isinstance(value, str):
        yield value


def labelled_fields(
    schema: dict[str, Any], values: dict[str, Any], villages: Mapping[str, Name] | None = None
) -> list[dict[str, Any]]:
    """A submission as people read it: each field of the form with its title, in the form's order, and
    its value as a label in both languages (enum labels, 是/否, a group's fields nested, a village by its
    name from ``villages`` where the form marks the field ``"x-kind": "village"``)."""
    fields = []
    properties: dict[str, Any] = schema.get("properties", {})
    for key in [*properties, *(key for key in values if key not in properties)]:
        if key not in values:
            continue
        node = properties.get(key, {})
        value = values[key]
        item: dict[str, Any] = {
            "key": key,
            "title_zh": str(node.get("title") or key),
            "title_en": str(node.get("x-title-en") or node.get("title") or key),
            "value_zh": "",
            "value_en": "",
            "children": [],
        }
        if isinstance(value, dict):
            item["children"] = labelled_fields(node, value, villages)
        else:
            item["value_zh"], item["value_en"] = _labels(node, value, villages)
        fields.append(item)
    return fields


def _labels(node: dict[str, Any], value: Any, villages: Mapping[str, Name] | None = None) -> tuple[str, str]:
    if isinstance(value, bool):
        return _YES_NO[value]
    if value is None:
        return "", ""
    if isinstance(value, list):
        items = node.get("items", {})
        pairs = [_labels(items, element, villages) for element in value]
        if not pairs:
            return "（无）", "(none)"
        return "；".join(zh for zh, _en in pairs), "; ".join(en for _zh, en in pairs)
    if isinstance(value, dict):
        pairs = [
            (f"{field['title_zh']} {field['value_zh']}", f"{field['title_en']} {field['value_en']}")
            for field in labelled_fields(node, value, villages)
        ]
        return "，".join(zh for zh, _en in pairs), ", ".join(en for _zh, en in pairs)
    labels = node.get("x-enum-labels", {})
    text = str(value)
    if node.get("x-kind") == "village" and villages and text in villages:
        return villages[text].zh, villages[text].en
    return str(labels.get("zh", {}).get(text, text)), str(labels.get("en", {}).get(text, text))
