"""Excel in and out for the sub-bureau: applicant and exam-score sheets with Chinese headers.

Every row is checked before anything is written. A file with any bad row is refused whole, each problem
named by its row (as Excel numbers it) and column, in Chinese and English; a good applicant file is
registered in one transaction, each row screened as ``recruitment.submit_application`` does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, VillageModel
from service.usecases import recruitment
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.excel_sheets import (  # noqa: F401 - re-exported for the web pages
    APPLICANT_COLUMNS,
    KINDS,
    MAX_BYTES,
    SCORE_COLUMNS,
    CellError,
    _fail_on,
    error,
    parse_cell,
    read_rows,
    refuse,
    template,
)
from service.usecases.id_numbers import (
    RESIDENT_ID,
    document_nationality_problem,
    document_problem,
    existing_application,
)
from service.usecases.nationalities import nationality_problem
from service.usecases.recruitment import CHINA


def _require_bureau(caller: Caller) -> None:
    if not caller.in_department("police_bureau"):
        raise ForbiddenError("Excel 导入由公安分局办理；您不属于公安分局")


def _open_campaign(ctx: ServiceContext, session: Session, campaign_id: int) -> CampaignModel:
    campaign = session.get(CampaignModel, campaign_id)
    if campaign is None:
        refuse(NotFoundError, f"招聘批次 {campaign_id} 不存在", f"Campaign {campaign_id} does not exist")
    if campaign.status != "open" or (campaign.closes_at and ctx.clock.now() >= campaign.closes_at):
        refuse(ConflictError, "该招聘批次当前不在报名期内", "The campaign is not open for registration")
    return campaign


def _village_codes(session: Session) -> dict[str, str]:
    """Each village's code by its code, its Chinese name and its English name (lower case): what a clerk
    may type in a village column. A name two villages share is left out, so it is refused, not guessed."""
    codes: dict[str, str] = {}
    shared: set[str] = set()
    for code, name_zh, name_en in session.execute(
        select(VillageModel.code, VillageModel.name_zh, VillageModel.name_en)
    ):
        codes[code] = code
        for name in (name_zh, name_en.lower()):
            if name in codes and codes[name] != code:
                shared.add(name)
            codes[name] = code
    return {name: code for name, code in codes.items() if name not in shared or name == code}


def open_campaigns(ctx: ServiceContext) -> list[CampaignModel]:
    with ctx.database.reading() as session:
        campaigns = session.scalars(select(CampaignModel).where(CampaignModel.status == "open"))
        now = ctx.clock.now()
        return [c for c in campaigns if c.closes_at is None or now < c.closes_at]


def import_applicants(
    ctx: ServiceContext, caller: Caller, campaign_id: int, xlsx_bytes: bytes
) -> list[ApplicationModel]:
    """Check every row, then register and screen them all in one transaction; or refuse the whole file."""
    _require_bureau(caller)
    with ctx.database.reading() as session:
        campaign = _open_campaign(ctx, session, campaign_id)
        posts = {p["village_code"] for p in campaign.plan.get("posts", []) if p["posts"] > 0}
        villages = _village_codes(session)
        query = select(ApplicationModel.id_type, ApplicationModel.id_number)
        known = {(t, n) for t, n in session.execute(query.where(ApplicationModel.campaign_id == campaign_id))}
    rows, errors = read_rows(xlsx_bytes, APPLICANT_COLUMNS)
    today, seen = ctx.clock.now().astimezone(CHINA).date(), dict[tuple[str, str], int]()
    for number, row in rows:
        if row.get("id_number"):
            row["id_number"] = str(row["id_number"]).strip().upper()  # x and X are one check character
        id_number, birth = row.get("id_number"), row.get("birth_date")
        id_type = row.get("id_type") or RESIDENT_ID
        wrong = document_problem(id_type, id_number, None, row.get("sex")) if id_number else None
        if wrong:
            errors.add(number, "id_number", *wrong)
        nationality = row.get("nationality")
        foreign = nationality_problem(nationality) if nationality else None
        if foreign:
            errors.add(number, "nationality", *foreign)
        mismatch = document_nationality_problem(id_type, nationality) if nationality and not foreign else None
        if mismatch:
            errors.add(number, "id_type", *mismatch)
        for key in ("village_code", "home_village_code"):  # a village by its name or its code
            if row.get(key):
                row[key] = villages.get(row[key], villages.get(str(row[key]).lower(), row[key]))
        if row.get("village_code") and row["village_code"] not in posts:
            errors.add(
                number, "village_code", "该村（社区）不在本批次用人计划内", "No post there in this campaign"
            )
        if row.get("home_village_code") and row["home_village_code"] not in villages.values():
            errors.add(number, "home_village_code", "没有这个村（社区）", "No such village")
        if birth and birth > today:
            errors.add(number, "birth_date", "出生日期晚于今天", "Birth date in the future")
        elif (
            birth
            and id_number
            and not wrong
            and id_type == RESIDENT_ID
            and id_number[6:14] != birth.strftime("%Y%m%d")
        ):
            errors.add(number, "birth_date", "与身份证号中的出生日期不一致", "Differs from the ID number's")
        document = (id_type, str(id_number))
        if document in seen:
            errors.add(number, "id_number", f"与第{seen[document]}行重复", f"Same as row {seen[document]}")
        elif document in known:
            with ctx.database.reading() as session:
                existing = existing_application(session, campaign_id, str(id_number), id_type)
            if existing:
                errors.add(number, "id_number", *existing)
        if id_number:
            seen.setdefault(document, number)
    _fail_on(errors)
    return _register_all(ctx, caller, campaign_id, rows)


def _register_all(
    ctx: ServiceContext, caller: Caller, campaign_id: int, rows: list[tuple[int, dict[str, Any]]]
) -> list[ApplicationModel]:
    """What submit_application does for one applicant, for every row, in a single transaction."""
    with ctx.database.transaction() as session:
        campaign = _open_campaign(ctx, session, campaign_id)
        now = ctx.clock.now()
        applications = []
        for number, row in rows:
            applicant = {k: v for k, v in row.items() if v is not None}  # as the API gives it
            try:
                applications.append(
                    recruitment.register_application(ctx, session, caller, campaign, applicant)
                )
            except (ValueError, TypeError) as problem:
                found = [error(number, None, f"报名信息有误：{problem}", f"Invalid application: {problem}")]
                raise InvalidInputError(
                    "文件中有 {count} 处错误，未导入任何数据", errors=found, count=1
                ) from problem
        ids = [a.id for a in applications]
        audit.record(session, now, caller.username, "applications_imported", campaign_id=campaign.id, ids=ids)
        return applications


def scores_for(
    ctx: ServiceContext, xlsx_bytes: bytes, campaign_id: int | None = None
) -> list[dict[str, Any]]:
    """The ``scores`` of the enter_exam_scores form from a scores sheet; names are checked against ids."""
    rows, errors = read_rows(xlsx_bytes, SCORE_COLUMNS)
    ids = {row["application_id"] for _n, row in rows if row.get("application_id")}
    with ctx.database.reading() as session:
        query = select(ApplicationModel).where(ApplicationModel.id.in_(ids))
        found = {a.id: a for a in session.scalars(query)}
    seen: dict[int, int] = {}
    for number, row in rows:
        application_id = row.get("application_id")
        if application_id is None:
            continue
        application = found.get(application_id)
        if application_id in seen:
            errors.add(
                number,
                "application_id",
                f"与第{seen[application_id]}行重复",
                f"Same as row {seen[application_id]}",
            )
        elif application is None or (campaign_id and application.campaign_id != campaign_id):
            errors.add(
                number, "application_id", "本批次没有这个报名编号", "No such application in this campaign"
            )
        elif campaign_id and application.status != "eligible":
            errors.add(
                number, "application_id", "该人员资格审查未通过，不能录入成绩", "Did not pass screening"
            )
        elif row.get("name") and row["name"] != application.name:
            zh, en = f"与报名编号对应的姓名“{application.name}”不一致", "Differs from the application's name"
            errors.add(number, SCORE_COLUMNS[1], zh, en)
        seen.setdefault(application_id, number)
    _fail_on(errors)
    return [{"application_id": row["application_id"], "score": row["score"]} for _n, row in rows]


def score_sheet(ctx: ServiceContext, caller: Caller, campaign_id: int) -> bytes:
    """A scores sheet listing the campaign's eligible applicants, scores left blank."""
    _require_bureau(caller)
    with ctx.database.reading() as session:
        eligible = session.scalars(
            select(ApplicationModel)
            .where(ApplicationModel.campaign_id == campaign_id, ApplicationModel.status == "eligible")
            .order_by(ApplicationModel.id)
        )
        return template("scores", [(a.id, a.name, None) for a in eligible])
