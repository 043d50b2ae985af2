"""Applications: registered, checked and screened (the eligibility decision) in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel
from service.usecases.directory import Caller
from service.usecases.dismissal_records import refusal_reason, rehiring_bar
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.id_numbers import (
    RESIDENT_ID,
    existing_application,
    refuse_existing,
    refuse_unfit_id_number,
)
from service.usecases.incidents import incidents_recorded
from service.usecases.nationalities import nationality_problem
from service.usecases.recruitment.common import application_of
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.rules.eligibility import screening_inputs
from workflows.scripting import OperatorCall


def submit_application(
    ctx: ServiceContext, caller: Caller, campaign_id: int, applicant: dict[str, Any]
) -> ApplicationModel:
    """Register an application and screen it against the eligibility decision, in one transaction."""
    if not caller.in_department("police_bureau"):
        raise ForbiddenError("报名信息由公安分局录入；您不属于公安分局")
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
        now = ctx.clock.now()
        if campaign.status != "open" or (campaign.closes_at and now >= campaign.closes_at):
            raise ConflictError("该招聘批次当前不在报名期内")
        posts = {p["village_code"]: p for p in campaign.plan.get("posts", []) if p["posts"] > 0}
        if applicant["village_code"] not in posts:
            raise InvalidInputError(
                "所报岗位不在批准的用人计划内",
                errors={
                    "village_code": ["所报村（社区）没有招聘岗位", "This village has no post in the plan"]
                },
            )
        try:
            return register_application(ctx, session, caller, campaign, applicant)
        except (ValueError, TypeError) as error:
            raise InvalidInputError("报名信息有误：{error}", error=error) from error


def register_application(
    ctx: ServiceContext, session: Session, caller: Caller, campaign: CampaignModel, applicant: dict[str, Any]
) -> ApplicationModel:
    """Store one application of an open campaign and screen it (the DMN decision) in the caller's transaction.

    Raises ValueError or TypeError when the applicant's data cannot be screened.
    """
    now = ctx.clock.now()
    applicant = _normalised(applicant)
    wrong = nationality_problem(applicant.get("nationality"))
    if wrong is not None:
        raise InvalidInputError(
            "报名信息有误：国籍{problem}",
            errors={"nationality": [f"国籍{wrong[0]}", f"Nationality: {wrong[1]}"]},
            english="Invalid application: nationality: " + wrong[1],
            problem=wrong[0],
        )
    refuse_unfit_id_number(session, campaign.id, applicant)
    inputs = screening_inputs(applicant, age_reference_date(campaign, now))
    application = ApplicationModel(
        campaign_id=campaign.id,
        village_code=applicant["village_code"],
        name=applicant["name"],
        id_type=applicant["id_type"],
        id_number=applicant["id_number"],
        birth_date=date.fromisoformat(applicant["birth_date"]),
        applicant=applicant,
        status="submitted",
        reasons=[],
        applied_at=now,
    )
    _insert(session, application)
    names = {p["village_code"]: p["village_name"] for p in campaign.plan.get("posts", [])}
    village_name = names[applicant["village_code"]]
    data = {
        **inputs,
        "application_id": application.id,
        "campaign_id": campaign.id,
        "subject": f"{application.name}（{village_name}）",
    }
    # A former officer dismissed on grounds the dismissal model says bar re-hiring (docs/design.md).
    barred = rehiring_bar(session, application.id_type, application.id_number)
    if barred is not None:
        data["earlier_dismissal"] = {"instance_id": barred.instance_id, "reason": refusal_reason(barred)}
    runner = InstanceRunner(ctx, session, caller.username)
    instance = runner.start(
        "applicant_screening",
        data,
        f"{campaign.business_key}/A{application.id}",
        use_case="register_application",
    )
    application.screening_instance_id = instance.id
    return application


def age_reference_date(campaign: CampaignModel, now: datetime) -> date:
    """The day every applicant's age is counted on: the announcement's reference date, else the registration
    end date (the usual deadline), and the application day only for a campaign that states neither."""
    return campaign.age_reference_date or campaign.registration_end or now.astimezone(CHINA).date()


def _insert(session: Session, application: ApplicationModel) -> None:
    """Add the application; the same document registered at the same moment in another transaction passed
    the check above too, and the unique index refuses this one: the same 409 as the check's."""
    try:
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        existing = existing_application(
            session, application.campaign_id, application.id_number, application.id_type
        )
        if existing is None:
            raise
        refuse_existing(existing, application.id_type)


def _normalised(applicant: dict[str, Any]) -> dict[str, Any]:
    """Make the applicant JSON-able and derive the 'local of the village' priority from the home village."""
    result = {**applicant, "birth_date": str(applicant["birth_date"])}
    result["id_type"] = str(result.get("id_type") or RESIDENT_ID)
    result["id_number"] = str(result["id_number"]).strip().upper()  # x and X are one check character
    result["nationality"] = str(result.get("nationality") or "").strip().upper()
    priority = set(result.get("priority") or [])
    if result.get("home_village_code") and result["home_village_code"] == result["village_code"]:
        priority.add("local_resident")
    result["priority"] = sorted(priority)
    return result


@operator("record_screening")
def record_screening(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    application = application_of(runner, call.data.get("application_id"))
    reasons = list(call.data.get("reason") or [])
    earlier = call.data.get("earlier_dismissal")
    if earlier:
        reasons.append(earlier["reason"])
    application.reasons = reasons
    application.status = "ineligible" if reasons else "eligible"
    return {"eligible": not reasons, "reasons": reasons}
