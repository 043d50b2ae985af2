"""Read model of the officers' dashboard (issue 17): who serves against the posts, who left and why month by
month, where the officer cases stand, who has no confidentiality undertaking.

Every figure is a grouped count in the database (officers by town, leavers by status and day, the open
instances the reader may read by process and step, service/usecases/instance_list.py), never the history
walked in Python: the dashboards' target is p95 < 300 ms (docs/benchmarks.md). The same readers as the
appraisal dashboard: the sub-bureau and auditors see every town, a town's police station and government
their own (service/usecases/dashboards.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    AuditEventModel,
    InstanceSubjectModel,
    OfficerModel,
    VillageModel,
)
from service.usecases import instance_list
from service.usecases.appraisal import EARLIEST_MONTH, parse_month
from service.usecases.dashboards import visible_towns
from service.usecases.directory import Caller, register_villages
from service.usecases.injury_leave import on_leave
from service.usecases.instance_access import OFFICER_PROCESSES
from service.usecases.officer_labels import DEATH_STATUSES, IN_SERVICE, INJURY_EXIT, LEAVING_STATUSES
from service.usecases.roster import training_start
from service.usecases.roster.training import TRAINING_RECORDED, UNDERTAKING_RECORDED
from workflows.calendar_months import add_months
from workflows.ports import CHINA
from workflows.rules.posts import allocate_posts

# The ways out of service, in the order the page shows them.
LEAVER_STATUSES = (*LEAVING_STATUSES, *DEATH_STATUSES, INJURY_EXIT)


def _month_bounds(months: list[str]) -> tuple[date, date]:
    """The first day of the oldest of ``months`` and the first day after the newest."""
    first = min(months)
    return date.fromisoformat(f"{first}-01"), add_months(date.fromisoformat(f"{max(months)}-01"), 1)


def _missing_undertakings(ctx: ServiceContext, caller: Caller, towns: list[str]) -> int | None:
    """How many officers in service of ``towns`` have no undertaking registered: the length of the bureau's
    list (roster/training.py, officers_without_undertaking), counted in the database; None for a reader
    who may not see that list (a town's departments do not keep the undertakings)."""
    if not training_start.may_list_missing(caller):
        return None
    signed = (
        select(InstanceSubjectModel.ref)
        .join(AuditEventModel, AuditEventModel.instance_id == InstanceSubjectModel.instance_id)
        .where(AuditEventModel.action == UNDERTAKING_RECORDED, InstanceSubjectModel.kind == "officer")
    )
    with ctx.database.reading() as session:
        return (
            session.scalar(
                select(func.count()).where(
                    OfficerModel.status == IN_SERVICE,
                    OfficerModel.town.in_(towns),
                    OfficerModel.id.not_in(signed),
                )
            )
            or 0
        )


def _training_results(session: Session, towns: list[str], since: datetime) -> list[dict[str, Any]]:
    """Per training recorded since ``since``: its officers of ``towns`` by result (passed, failed, absent),
    grouped by the database from the ``training_recorded`` events (roster/training.py, record_training)."""
    training = AuditEventModel.payload["training_instance_id"].as_integer()
    title = AuditEventModel.payload["title"].as_string()
    result = AuditEventModel.payload["result"].as_string()
    found: dict[int, dict[str, Any]] = {}
    for instance_id, name, outcome, count in session.execute(
        select(training, title, result, func.count())
        .join(OfficerModel, OfficerModel.id == AuditEventModel.payload["officer_id"].as_integer())
        .where(
            AuditEventModel.action == TRAINING_RECORDED,
            AuditEventModel.at >= since,
            OfficerModel.town.in_(towns),
        )
        .group_by(training, title, result)
    ):
        row = found.setdefault(instance_id, {"instance_id": instance_id, "title": name, "results": {}})
        row["results"][outcome] = row["results"].get(outcome, 0) + count
    return sorted(found.values(), key=lambda row: -row["instance_id"])


def officer_overview(
    ctx: ServiceContext, caller: Caller, months: list[str], town: str | None = None
) -> dict[str, Any]:
    """The figures of the officers' dashboard for ``months`` (newest first) and ``town`` (None: every town
    the caller may see)."""
    for month in months:
        parse_month(month, EARLIEST_MONTH)
    start, end = _month_bounds(months)
    with ctx.database.reading() as session:
        options = visible_towns(session, caller, town)
        chosen = [t for t in options if not town or t["code"] == town]
        codes = [t["code"] for t in chosen]
        serving: dict[str, int] = {
            place: count
            for place, count in session.execute(
                select(OfficerModel.town, func.count())
                .where(OfficerModel.status == IN_SERVICE, OfficerModel.town.in_(codes))
                .group_by(OfficerModel.town)
            )
        }
        # Of those in service (who hold their posts), the ones on injury leave today.
        today = ctx.clock.now().astimezone(CHINA).date()
        on_injury_leave: dict[str, int] = {
            place: count
            for place, count in session.execute(
                select(OfficerModel.town, func.count())
                .where(on_leave(today), OfficerModel.town.in_(codes))
                .group_by(OfficerModel.town)
            )
        }
        village_towns = {
            code: place for code, place in session.execute(select(VillageModel.code, VillageModel.town))
        }
        posts: dict[str, int] = {}
        for allocation in allocate_posts(register_villages(session)):
            place = village_towns.get(allocation.village_code, allocation.town)
            posts[place] = posts.get(place, 0) + allocation.posts
        leavers: dict[tuple[str, str], int] = {}
        for status, left_on, count in session.execute(
            select(OfficerModel.status, OfficerModel.left_on, func.count())
            .where(
                OfficerModel.status.in_(LEAVER_STATUSES),
                OfficerModel.left_on >= start,
                OfficerModel.left_on < end,
                OfficerModel.town.in_(codes),
            )
            .group_by(OfficerModel.status, OfficerModel.left_on)
        ):
            key = (f"{left_on:%Y-%m}", status)
            leavers[key] = leavers.get(key, 0) + count
        trainings = _training_results(session, codes, datetime.combine(start, time(0, 0), tzinfo=CHINA))
        # Counted with the instance list's own conditions: each number is the total of the list it opens.
        steps = instance_list.open_step_counts(session, caller, OFFICER_PROCESSES, town)
    steps.sort(key=lambda s: (OFFICER_PROCESSES.index(s["process"]), s["name_zh"]))
    missing_count = _missing_undertakings(ctx, caller, codes)
    return {
        "months": months,
        "towns": chosen,
        "town_options": options,
        "staffing": [
            {
                **t,
                "in_service": serving.get(t["code"], 0),
                "on_injury_leave": on_injury_leave.get(t["code"], 0),
                "posts": posts.get(t["code"], 0),
            }
            for t in chosen
        ],
        "leavers": leavers,
        "leaver_statuses": LEAVER_STATUSES,
        "open_steps": steps,
        "trainings": trainings,
        "missing_undertakings": missing_count,
    }
