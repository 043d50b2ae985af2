"""The bureau's list of a campaign's applications: who applied where, with what document and nationality,
and how the screening (and what came after) judged them, with the reasons; filtered by village and result,
a page at a time, and the same rows for the Excel export (application_export.py).

Names, not codes: villages and countries by name, statuses and reasons as labels in both languages, the
document number masked as every list masks it (service/usecases/id_numbers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, VillageModel
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.id_numbers import ID_TYPES, RESIDENT_ID, masked_document
from service.usecases.nationalities import country_name
from service.usecases.recruitment.applications import age_reference_date
from service.usecases.recruitment.reasons import reason_en
from workflows.rules.eligibility import age_on

# An application's status, in the order a campaign moves it: (code, 中文, English).
STATUSES = (
    ("submitted", "已报名", "Registered"),
    ("eligible", "资格审查通过", "Eligible"),
    ("ineligible", "资格审查未通过", "Ineligible"),
    ("ranked", "已排名", "Ranked"),
    ("absent", "缺考或无成绩", "Absent or no score"),
    ("vetting", "考察政审中", "Being vetted"),
    ("vetting_failed", "考察政审未通过", "Failed vetting"),
    ("notice", "公示中", "On public notice"),
    ("hired", "已录用", "Hired"),
)
STATUS_CODES = tuple(code for code, _zh, _en in STATUSES)
STATUS_LABELS = {code: (zh, en) for code, zh, en in STATUSES}
ID_TYPE_LABELS = {code: (zh, en) for code, zh, en in ID_TYPES}
SEX_LABELS = {"male": ("男", "Male"), "female": ("女", "Female")}
MAX_PER_PAGE = 200
# The campaign's funnel (the dashboard's, issue 15 point 6): each stage is the applications that reached
# it, whatever happened after; (code, 中文, English, the statuses of those who reached it).
STAGES = (
    ("registered", "报名", "Registered", STATUS_CODES),
    ("eligible", "资格审查通过", "Eligible", STATUS_CODES[STATUS_CODES.index("ranked") :] + ("eligible",)),
    ("exam", "参加考试", "Sat the exam", ("ranked", "vetting", "vetting_failed", "notice", "hired")),
    ("vetting", "考察政审", "Vetted", ("vetting", "vetting_failed", "notice", "hired")),
    ("notice", "公示", "Public notice", ("notice", "hired")),
    ("hired", "签订合同", "Contract signed", ("hired",)),
)
STAGE_STATUSES = {code: statuses for code, _zh, _en, statuses in STAGES}


@dataclass(frozen=True)
class Filters:
    village: str | None = None  # a village code of the campaign's plan
    result: str | None = None  # a status code
    stage: str | None = None  # a funnel stage: the applications that reached it


def require_campaign_reader(caller: Caller) -> None:
    """The sub-bureau, which runs the campaigns, and the auditors read their applications."""
    if not (caller.in_department("police_bureau") or caller.has_role("auditor")):
        raise ForbiddenError("只有公安分局人员和审计人员可以查看报名信息")


def _campaign(session: Session, campaign_id: int) -> CampaignModel:
    campaign = session.get(CampaignModel, campaign_id)
    if campaign is None:
        raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
    return campaign


def _query(campaign_id: int, filters: Filters) -> Select[ApplicationModel, str, str]:
    query = (
        select(ApplicationModel, VillageModel.name_zh, VillageModel.name_en)
        .join(VillageModel, VillageModel.code == ApplicationModel.village_code, isouter=True)
        .where(ApplicationModel.campaign_id == campaign_id)
    )
    if filters.village:
        query = query.where(ApplicationModel.village_code == filters.village)
    if filters.result:
        query = query.where(ApplicationModel.status == filters.result)
    if filters.stage in STAGE_STATUSES:
        query = query.where(ApplicationModel.status.in_(STAGE_STATUSES[filters.stage]))
    return query


def _row(
    application: ApplicationModel, village_zh: str | None, village_en: str | None, on: date
) -> dict[str, Any]:
    applicant = application.applicant or {}
    id_type = application.id_type or RESIDENT_ID
    nationality = str(applicant.get("nationality") or "")
    sex = applicant.get("sex")
    status = STATUS_LABELS.get(application.status, (application.status, application.status))
    reasons = [str(reason) for reason in application.reasons or []]
    try:
        age: int | None = age_on(application.birth_date, on)
    except ValueError:  # born after the reference date: no age to show
        age = None
    return {
        "id": application.id,
        "name": application.name,
        "id_type": id_type,
        "id_type_label": ID_TYPE_LABELS.get(id_type, (id_type, id_type))[0],
        "id_type_label_en": ID_TYPE_LABELS.get(id_type, (id_type, id_type))[1],
        "id_number_masked": masked_document(id_type, application.id_number),
        "sex": sex,
        "sex_label": SEX_LABELS[sex][0] if sex in SEX_LABELS else "",
        "sex_label_en": SEX_LABELS[sex][1] if sex in SEX_LABELS else "",
        "birth_date": application.birth_date,
        "age": age,
        "nationality": nationality,
        "nationality_name": country_name(nationality, "zh"),
        "nationality_name_en": country_name(nationality, "en"),
        "village_code": application.village_code,
        "village_name": village_zh or application.village_code,
        "village_name_en": village_en or village_zh or application.village_code,
        "status": application.status,
        "status_label": status[0],
        "status_label_en": status[1],
        "reasons": reasons,
        "reasons_en": [reason_en(reason) for reason in reasons],
        "score": application.score,
        "rank": application.rank,
        "applied_at": application.applied_at,
        "screening_instance_id": application.screening_instance_id,
    }


def _villages(campaign: CampaignModel, session: Session) -> list[dict[str, Any]]:
    """The villages of the campaign's plan with a post, by name, for the filter."""
    codes = [p["village_code"] for p in (campaign.plan or {}).get("posts", []) if p.get("posts", 0) > 0]
    names = dict(
        (code, (zh, en))
        for code, zh, en in session.execute(
            select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en).where(
                VillageModel.code.in_(codes)
            )
        )
    )
    return [{"code": c, "name": names.get(c, (c, c))[0], "name_en": names.get(c, (c, c))[1]} for c in codes]


def campaign_applications(
    ctx: ServiceContext, caller: Caller, campaign_id: int, filters: Filters, page: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """One page of the campaign's applications (newest last, as they came in) and what the filters offer."""
    require_campaign_reader(caller)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    with ctx.database.reading() as session:
        campaign = _campaign(session, campaign_id)
        on = age_reference_date(campaign, ctx.clock.now())
        query = _query(campaign_id, filters)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(
            query.order_by(ApplicationModel.id).offset((page - 1) * per_page).limit(per_page)
        )
        return {
            "campaign": {
                "id": campaign.id,
                "title": campaign.title,
                "business_key": campaign.business_key,
                "status": campaign.status,
                "age_reference_date": on,
                "registration_start": campaign.registration_start,
                "registration_end": campaign.registration_end,
            },
            "villages": _villages(campaign, session),
            "items": [_row(application, zh, en, on) for application, zh, en in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }


def all_rows(
    ctx: ServiceContext, caller: Caller, campaign_id: int, filters: Filters
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every row the filters keep (the export), with the campaign; a campaign has a few thousand at most."""
    require_campaign_reader(caller)
    with ctx.database.reading() as session:
        campaign = _campaign(session, campaign_id)
        on = age_reference_date(campaign, ctx.clock.now())
        rows = session.execute(_query(campaign_id, filters).order_by(ApplicationModel.id))
        about = {"id": campaign.id, "title": campaign.title, "business_key": campaign.business_key}
        return {**about, "age_reference_date": on}, [_row(a, zh, en, on) for a, zh, en in rows]
