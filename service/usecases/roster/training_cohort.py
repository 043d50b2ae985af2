"""Who a training plan enrols (issue 17): the officers in service, narrowed by what the plan names — a town,
a first day of contract (the officers a campaign hired), the officers not trained yet (never attended a
training, or without a passed result), and a list of officers chosen by name. Every criterion given must
hold: a chosen officer outside the town, or already trained when the plan asks for the untrained, is
refused by name beside the list, so the planner sees who and why instead of a cohort silently smaller.

The sub-bureau plans the trainings of every town (the model's ``startedBy``), so its reach is every officer
in service; the page offers them by name with village and town (``choices``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from service.persistence.models import AuditEventModel, OfficerModel
from service.usecases import names
from service.usecases.errors import OperatorFailedError

TRAINING_RECORDED = "training_recorded"  # roster/training.py's event of an officer's result
# ``cohort_untrained``: which officers count as not trained yet.
NEVER_ATTENDED = "never_attended"
NOT_PASSED = "not_passed"
CHOSEN = "cohort_officers"


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise OperatorFailedError(
            "hired_since 不是日期：{value}", english="hired_since is not a date: {value}", value=value
        ) from error


def _trained(untrained: str) -> Select[tuple[int]]:
    """The officers a training result counts as trained: any attendance (``never_attended``), or a pass."""
    officer = AuditEventModel.payload["officer_id"].as_integer()
    query = select(officer).where(AuditEventModel.action == TRAINING_RECORDED)
    if untrained == NOT_PASSED:
        return query.where(AuditEventModel.payload["result"].as_string() == "passed")
    return query.where(AuditEventModel.payload["result"].as_string().in_(("passed", "failed")))


def _conditions(data: Any) -> list[ColumnElement[bool]]:
    """The plan's criteria but the chosen list, as conditions on ``OfficerModel``."""
    conditions = [OfficerModel.status == "in_service"]
    if data.get("cohort_town"):
        conditions.append(OfficerModel.town == data["cohort_town"])
    if data.get("hired_since"):
        conditions.append(OfficerModel.contract_start >= _day(data["hired_since"]))
    if data.get("cohort_untrained") in (NEVER_ATTENDED, NOT_PASSED):
        conditions.append(OfficerModel.id.not_in(_trained(data["cohort_untrained"])))
    return conditions


def chosen_ids(data: Any) -> list[int]:
    chosen = data.get(CHOSEN) or []
    return [int(officer) for officer in chosen] if isinstance(chosen, list) else []


def cohort(session: Session, data: Any) -> list[OfficerModel]:
    """The officers in service the plan names, by number."""
    query = select(OfficerModel).where(*_conditions(data)).order_by(OfficerModel.id)
    chosen = chosen_ids(data)
    if chosen:
        query = query.where(OfficerModel.id.in_(chosen))
    return list(session.scalars(query))


def check_chosen(session: Session, data: Any) -> None:
    """Refuse a chosen officer the plan's other criteria leave out (or not in service, or unknown), naming
    each beside the list of officers."""
    chosen = chosen_ids(data)
    if not chosen:
        return
    kept = {officer.id for officer in cohort(session, data)}
    left_out = [officer for officer in chosen if officer not in kept]
    if not left_out:
        return
    found = {o.id: o.name for o in session.scalars(select(OfficerModel).where(OfficerModel.id.in_(left_out)))}
    who = "、".join(found.get(officer, f"#{officer}") for officer in left_out)
    who_en = ", ".join(found.get(officer, f"#{officer}") for officer in left_out)
    zh = f"以下辅警不在参训范围内（不在岗，或不符合所选的镇、入职日期、参训情况）：{who}"
    en = f"Not in the cohort (not in service, or outside the chosen town, hire date or training): {who_en}"
    raise OperatorFailedError(
        "所选辅警中有人不在参训范围内：{who}",
        errors={CHOSEN: [zh, en]},
        english="Some chosen officers are not in the cohort: {who}",
        who=who,
    )


def choices(session: Session, lang: str) -> list[tuple[int, str]]:
    """The officers in service to choose from, by name with village and town, ordered by town, village and
    name (the sub-bureau's reach: every town)."""
    officers = list(
        session.scalars(
            select(OfficerModel)
            .where(OfficerModel.status == "in_service")
            .order_by(OfficerModel.town, OfficerModel.village_code, OfficerModel.name, OfficerModel.id)
        )
    )
    villages = names.village_names(session, {o.village_code for o in officers})
    towns = {t["code"]: t["name_en" if lang == "en" else "name_zh"] for t in names.towns(session)}
    found = []
    for officer in officers:
        village = villages.get(officer.village_code)
        place = village.in_language(lang) if village else officer.village_code
        town = towns.get(officer.town, officer.town)
        aside = f" ({place}, {town})" if lang == "en" else f"（{town}{place}）"
        found.append((officer.id, f"{officer.name}{aside}"))
    return found


def describe(session: Session, data: Any) -> tuple[str, str]:
    """The plan's criteria beyond town and hire date, as the approver reads them (both languages)."""
    zh, en = [], []
    if data.get("cohort_untrained") == NEVER_ATTENDED:
        zh.append("从未参训")
        en.append("never attended a training")
    elif data.get("cohort_untrained") == NOT_PASSED:
        zh.append("尚无合格的培训结果")
        en.append("no passed training result yet")
    chosen = chosen_ids(data)
    if chosen:
        rows = session.scalars(select(OfficerModel.name).where(OfficerModel.id.in_(chosen)))
        listed = sorted(rows)
        zh.append(f"指定 {len(chosen)} 人：{'、'.join(listed)}")
        en.append(f"{len(chosen)} chosen: {', '.join(listed)}")
    return "，".join(zh), "; ".join(en)
