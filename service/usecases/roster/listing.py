"""The officer roster: who serves where, from which campaign, under which contract, with what record."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    ApplicationModel,
    AppraisalRecordModel,
    CampaignModel,
    ContractRenewalStartModel,
    InjuryLeaveModel,
    InstanceModel,
    OfficerModel,
    VillageModel,
)
from service.usecases.directory import Caller
from service.usecases.dismissal_records import dismissal_history
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.field_reports import report_history
from service.usecases.injury_leave import current_leaves, leave_fields, on_leave, open_leaves
from service.usecases.names import towns
from service.usecases.officer_labels import (
    FILTER_STATUSES,
    IN_SERVICE,
    ON_INJURY_LEAVE,
    ON_INJURY_LEAVE_LABEL,
    role_label,
    status_label,
)
from service.usecases.roster.access import roster_towns
from service.usecases.roster.rewards import reward_history
from service.usecases.roster.training import training_history, undertaking_of
from service.usecases.welfare.death import death_on_duty_record, leave_reason_en
from service.usecases.welfare.injury import injury_history, with_final_state
from workflows.calendar_months import add_months
from workflows.ports import CHINA
from workflows.rules.grading import GRADE_LABELS, GRADE_LABELS_EN

# A month of leaving to filter by: 1900-2099, so that the month after it is a date too.
LEFT_IN_MONTH = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")

# The appraisal history an officer's page and the renewal's grounds show: the last two years.
HISTORY_MONTHS = 24


def _town_names(session: Session) -> dict[str, tuple[str, str]]:
    return {t["code"]: (t["name_zh"], t["name_en"]) for t in towns(session)}


def _roster_query() -> Select[OfficerModel, VillageModel, ApplicationModel, CampaignModel]:
    return (
        select(OfficerModel, VillageModel, ApplicationModel, CampaignModel)
        .join(VillageModel, VillageModel.code == OfficerModel.village_code)
        .outerjoin(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
        .outerjoin(CampaignModel, CampaignModel.id == ApplicationModel.campaign_id)
    )


def _row(
    officer: OfficerModel,
    village: VillageModel,
    application: ApplicationModel | None,
    campaign: CampaignModel | None,
    town_names: dict[str, tuple[str, str]],
    leave: InjuryLeaveModel | None = None,
) -> dict[str, Any]:
    """The roster's row; an officer in service on injury leave today shows 工伤休假 in the status's place
    (the status stays ``in_service``: the post is still theirs) from the leave's first day."""
    town = town_names.get(officer.town, (officer.town, officer.town))
    role, status = role_label(officer.role), status_label(officer.status)
    if officer.status != IN_SERVICE:  # left service during a leave (dismissed, deceased): that status
        leave = None
    if leave is not None:
        status = ON_INJURY_LEAVE_LABEL
    return {
        "id": officer.id,
        "name": officer.name,
        "village_code": village.code,
        "village_name": village.name_zh,
        "village_name_en": village.name_en,
        "town": officer.town,
        "town_name": town[0],
        "town_name_en": town[1],
        "role": officer.role,
        "role_label": role[0],
        "role_label_en": role[1],
        "party_member": officer.party_member,
        "status": officer.status,
        "status_label": status[0],
        "status_label_en": status[1],
        "status_since": leave.leave_from if leave is not None else officer.status_since,
        **leave_fields(leave),
        "left_on": officer.left_on,
        "leave_reason": officer.leave_reason,
        "leave_reason_en": leave_reason_en(officer.leave_reason),
        "contract_number": officer.contract_number,
        "contract_start": officer.contract_start,
        "contract_end": officer.contract_end,
        "application_id": officer.application_id,
        "screening_instance_id": application.screening_instance_id if application else None,
        "campaign_id": campaign.id if campaign else None,
        "campaign_title": campaign.title if campaign else None,
        "campaign_instance_id": campaign.instance_id if campaign else None,
        "hiring_instance_id": officer.hiring_instance_id,
        "hired_at": officer.hired_at,
    }


def _check_filters(caller: Caller, town: str | None, status: str | None) -> set[str] | None:
    """The towns the list covers (None: all); refuse a town the caller may not read, an unknown status."""
    visible = roster_towns(caller)
    if status is not None and status not in FILTER_STATUSES:
        raise InvalidInputError(
            "未知的辅警状态：{status}",
            errors={
                "status": [
                    "应为 " + "、".join(FILTER_STATUSES) + " 之一",
                    "Must be one of " + ", ".join(FILTER_STATUSES),
                ]
            },
            english="Unknown officer status: {status}",
            status=status,
        )
    if town is None:
        return visible
    if visible is not None and town not in visible:
        raise ForbiddenError(
            "您只能查看本镇的辅警", english="You may read the officers of your own town only"
        )
    return {town}


def list_officers(
    ctx: ServiceContext,
    caller: Caller,
    *,
    town: str | None = None,
    village: str | None = None,
    status: str | None = None,
    campaign: int | None = None,
    left_in: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """One page of the roster, by town, village and name; filters by town, village, status and the
    campaign the officers were hired in; ``left_in`` (a month's first day): who left service that month.
    ``status`` ``injury_leave``: the officers in service on injury leave today (``in_service`` lists them
    too: they hold their posts)."""
    towns_shown = _check_filters(caller, town, status)
    today = ctx.clock.now().astimezone(CHINA).date()
    query = _roster_query()
    if towns_shown is not None:
        query = query.where(OfficerModel.town.in_(sorted(towns_shown)))
    if village:
        query = query.where(OfficerModel.village_code == village)
    if status == ON_INJURY_LEAVE:
        query = query.where(on_leave(today))
    elif status:
        query = query.where(OfficerModel.status == status)
    if campaign is not None:
        query = query.where(ApplicationModel.campaign_id == campaign)
    if left_in is not None:
        query = query.where(OfficerModel.left_on >= left_in, OfficerModel.left_on < add_months(left_in, 1))
    with ctx.database.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(
            query.order_by(OfficerModel.town, OfficerModel.village_code, OfficerModel.name, OfficerModel.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        names = _town_names(session)
        leaves = current_leaves(session, [row[0].id for row in rows], today)
        items = [_row(row[0], row[1], row[2], row[3], names, leaves.get(row[0].id)) for row in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def appraisal_history(session: Session, officer_id: int, limit: int = HISTORY_MONTHS) -> list[dict[str, Any]]:
    """The officer's confirmed appraisals, newest month first."""
    records = session.scalars(
        select(AppraisalRecordModel)
        .where(AppraisalRecordModel.officer_id == officer_id)
        .order_by(AppraisalRecordModel.month.desc())
        .limit(limit)
    )
    return [
        {
            "month": r.month,
            "grade": r.grade,
            "grade_label": GRADE_LABELS.get(r.grade, r.grade),
            "grade_label_en": GRADE_LABELS_EN.get(r.grade, r.grade).capitalize(),
            "combined_score": r.combined_score,
            "veto": r.veto,
            "veto_reason": r.veto_reason,
            "instance_id": r.instance_id,
        }
        for r in records
    ]


def _renewals(session: Session, officer_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ContractRenewalStartModel, InstanceModel.status)
        .outerjoin(InstanceModel, InstanceModel.id == ContractRenewalStartModel.instance_id)
        .where(ContractRenewalStartModel.officer_id == officer_id)
        .order_by(ContractRenewalStartModel.contract_end.desc())
    ).all()
    return [
        {
            "contract_end": claim.contract_end,
            "instance_id": claim.instance_id,
            "instance_status": instance_status,
            "started_at": claim.started_at,
        }
        for claim, instance_status in rows
    ]


def officer_row(session: Session, officer_id: int, today: date | None = None) -> dict[str, Any] | None:
    """One officer's roster row, an injury leave in the status's place: the leave on ``today`` (China
    time), or without it (a task's grounds) the leave not ended yet."""
    found = session.execute(_roster_query().where(OfficerModel.id == officer_id)).first()
    if not found:
        return None
    leaves = current_leaves(session, [officer_id], today) if today else open_leaves(session, [officer_id])
    leave = leaves.get(officer_id)
    return _row(found[0], found[1], found[2], found[3], _town_names(session), leave)


def officer_detail(ctx: ServiceContext, caller: Caller, officer_id: int) -> dict[str, Any]:
    """One officer: the roster's row, the appraisal history, the contract renewals raised, the rewards."""
    visible = roster_towns(caller)
    with ctx.database.reading() as session:
        row = officer_row(session, officer_id, ctx.clock.now().astimezone(CHINA).date())
        if row is None or (visible is not None and row["town"] not in visible):
            # Another town's officer is as unknown to a town's departments as one that does not exist.
            raise NotFoundError(
                "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer_id
            )
        return {
            **row,
            "appraisals": appraisal_history(session, officer_id),
            "renewals": _renewals(session, officer_id),
            "rewards": reward_history(session, officer_id),
            "training": training_history(session, officer_id),
            "undertaking": undertaking_of(session, officer_id),
            "dismissals": dismissal_history(session, officer_id),
            "field_reports": report_history(session, officer_id),
            "work_injuries": with_final_state(
                injury_history(session, officer_id), row["status"], row["left_on"]
            ),
            "death_on_duty": death_on_duty_record(session, officer_id),
        }


def filter_options(ctx: ServiceContext, caller: Caller) -> dict[str, list[dict[str, str]]]:
    """The towns and villages a roster filter offers: the register's, of the towns the caller may read."""
    visible = roster_towns(caller)
    query = select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en, VillageModel.town)
    if visible is not None:
        query = query.where(VillageModel.town.in_(sorted(visible)))
    with ctx.database.reading() as session:
        villages = session.execute(query.order_by(VillageModel.town, VillageModel.code))
        return {
            "towns": [t for t in towns(session) if visible is None or t["code"] in visible],
            "villages": [
                {"code": code, "name_zh": zh, "name_en": en, "town": town} for code, zh, en, town in villages
            ],
        }
