"""What the inbox's filters offer: processes and steps that reach the caller's departments (from the
deployed models, cached per deployment), and the towns and villages of the register."""

from __future__ import annotations

from SpiffWorkflow.spiff.specs.defaults import UserTask
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, VillageModel
from service.usecases.directory import Caller
from service.usecases.inbox.listing import cached_process_names, newest_definition, town_names
from workflows.extensions import user_task_info

_STEPS: dict[tuple[int, int | None, frozenset[str]], list[dict[str, str]]] = {}


def choices(ctx: ServiceContext, caller: Caller) -> dict[str, list[dict[str, str]]]:
    """What the filters offer, by name: the processes and steps that reach the caller's departments (read
    from the deployed models, not from the 140,000 rows), and the towns and villages of the register."""
    with ctx.database.reading() as session:
        return read_choices(ctx, session, caller, newest_definition(session))


def read_choices(
    ctx: ServiceContext, session: Session, caller: Caller, newest: int | None
) -> dict[str, list[dict[str, str]]]:
    """``choices`` in a session the caller holds, the newest definition's id read already."""
    processes = cached_process_names(ctx, session, newest)
    key = (id(ctx), newest, caller.departments)
    if key not in _STEPS:
        if len(_STEPS) > 1000:
            _STEPS.clear()
        _STEPS[key] = _steps(ctx, session, caller)
    steps = _STEPS[key]
    used = {step["process"] for step in steps}
    # A town's staff choose among their town's villages; the bureau and reviewers among all (an officer's
    # own queue, officer:<id>, names no town).
    own_towns = {code.split(":", 1)[1] for code in caller.memberships if ":" in code}
    whole = any(":" not in code for code in caller.memberships) or not own_towns
    villages = session.execute(
        select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en, VillageModel.town)
        .where(true() if whole else VillageModel.town.in_(sorted(own_towns)))
        .order_by(VillageModel.town, VillageModel.code)
    )
    towns = {code: name for code, name in town_names(session).items() if whole or code in own_towns}
    return {
        "processes": [
            {"code": code, "name_zh": name.zh, "name_en": name.en}
            for code, name in sorted(processes.items())
            if code in used
        ],
        "steps": steps,
        "towns": [{"code": code, "name_zh": name.zh, "name_en": name.en} for code, name in towns.items()],
        "villages": [
            {"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en, "town": row.town}
            for row in villages
        ],
    }


def _steps(ctx: ServiceContext, session: Session, caller: Caller) -> list[dict[str, str]]:
    """The user tasks of the newest models whose lane is one of the caller's departments."""
    steps: dict[tuple[str, str], dict[str, str]] = {}
    newest = select(DefinitionModel.process_id, func.max(DefinitionModel.id)).group_by(
        DefinitionModel.process_id
    )
    for process_id, definition_id in session.execute(newest):
        try:
            specs = ctx.specs_for_definition(session, definition_id)
            top, subs = specs.spec_for(process_id)
        except (LookupError, KeyError):
            continue
        for wf_spec in (top, *subs.values()):
            for task_spec in wf_spec.task_specs.values():
                if isinstance(task_spec, UserTask):
                    info = user_task_info(task_spec)
                    if _reaches(info.lane, caller):
                        steps[(process_id, info.spec_name)] = {
                            "process": process_id,
                            "code": info.spec_name,
                            "name_zh": info.name_zh,
                            "name_en": info.name_en,
                        }
    return sorted(steps.values(), key=lambda step: (step["process"], step["name_zh"]))


def _reaches(lane: str, caller: Caller) -> bool:
    """Whether a lane (``police_station:{town}`` or a plain code) names one of the caller's departments."""
    if "{" not in lane:
        return lane in caller.departments
    prefix = lane.split("{", 1)[0]
    return any(code.startswith(prefix) for code in caller.departments)
