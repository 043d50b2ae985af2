"""Each row of a migration's report by name: the instance's subject and current tasks, the elements changed,
added and removed, and its reasons in Chinese then English (issue 14, point 5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel, InstanceModel
from service.usecases.migration.moves import MigrationRequest
from workflows.extensions import element_english_name
from workflows.specs import ProcessSpecs


def _element_names(specs: list[ProcessSpecs], process_id: str) -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    for bundle in specs:
        try:
            top, subs = bundle.spec_for(process_id)
        except KeyError:
            continue
        for wf_spec in (top, *subs.values()):
            for spec in wf_spec.task_specs.values():
                if getattr(spec, "bpmn_id", None) and getattr(spec, "bpmn_name", None):
                    names[spec.bpmn_id] = (spec.bpmn_name, element_english_name(spec) or spec.bpmn_name)
    return names


def named_report(
    ctx: ServiceContext, request: MigrationRequest, outcomes: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """Each outcome with the instance's subject and current tasks by name, the elements changed, added
    and removed by name (the id where an element has none), and its reasons in Chinese then English;
    failures first, then refusals."""
    ids = [row["instance_id"] for row in outcomes]
    with ctx.database.reading() as session:
        names = _element_names(
            [
                ctx.specs_for_definition(session, request.from_definition),
                ctx.specs_for_definition(session, request.to_definition),
            ],
            request.process_id,
        )
        keys = (
            dict(
                session.execute(
                    select(InstanceModel.id, InstanceModel.business_key).where(InstanceModel.id.in_(ids))
                ).all()
            )
            if ids
            else {}
        )
        waiting: dict[int, list[str]] = defaultdict(list)
        if ids:
            for row in session.execute(
                select(
                    HumanTaskModel.instance_id,
                    HumanTaskModel.name_zh,
                    HumanTaskModel.name_en,
                )
                .where(HumanTaskModel.instance_id.in_(ids), HumanTaskModel.state.in_(OPEN_STATES))
                .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
            ):
                waiting[row.instance_id].append(row.name_en if lang == "en" else row.name_zh)
        subjects = instance_subjects(session, ids)

    def named(elements: list[str]) -> list[str]:
        return [(names[e][1] if lang == "en" else names[e][0]) if e in names else e for e in elements]

    def by_name(reason: dict[str, str], elements: list[str]) -> dict[str, str]:
        # workflows.migration names an element with its id in brackets: the page shows its name only.
        zh, en = reason["zh"], reason["en"]
        for element in elements:
            if element in names:
                name_zh, name_en = names[element]
                for said in (name_zh, element):  # compaction remembers only the element's id
                    zh = zh.replace(f"“{said}”（{element}）", f"“{name_zh}”")
                    en = en.replace(f"{said} ({element})", name_en)
        return {"zh": zh, "en": en}

    # What needs a look first: failures, then refusals, then the instances that move (or moved).
    ordered = sorted(outcomes, key=lambda row: (not row["failed"], row["migrated"] or row["can_move"]))
    return [
        {
            **row,
            "business_key": row.get("business_key") or keys.get(row["instance_id"]),
            "reasons": [by_name(r, row["changed"] + row["removed"]) for r in row["reasons"]],
            "subject": subjects.get(row["instance_id"], ""),
            "waiting_at": waiting.get(row["instance_id"], []),
            "changed_names": named(row["changed"]),
            "added_names": named(row["added"]),
            "removed_names": named(row["removed"]),
        }
        for row in ordered
    ]


def instance_subjects(session: Session, instance_ids: Iterable[int]) -> dict[int, str]:
    """Whom each instance is about, as its newest task row says (an officer with the village, a campaign);
    an instance without one is left out."""
    wanted = sorted(set(instance_ids))
    found: dict[int, str] = {}
    if not wanted:
        return found
    for instance_id, subject in session.execute(
        select(HumanTaskModel.instance_id, HumanTaskModel.subject)
        .where(HumanTaskModel.instance_id.in_(wanted), HumanTaskModel.subject != "")
        .order_by(HumanTaskModel.created_at.desc(), HumanTaskModel.id)
    ):
        found.setdefault(instance_id, subject)
    return found
