"""The recruitment family's service-task operators and the application use case.

Operators run inside the engine step of an instance, in that instance's transaction; they read and write
the domain tables (campaigns, applications, officers) so that state and domain data commit together.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    ApplicationModel,
    CampaignModel,
    InstanceModel,
    OfficerModel,
    VillageModel,
)
from service.usecases.directory import Caller, register_villages
from service.usecases.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    OperatorFailedError,
)
from service.usecases.id_numbers import refuse_unfit_id_number
from service.usecases.incidents import incidents_recorded
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.rules.eligibility import DISQUALIFIERS, screening_inputs
from workflows.rules.posts import allocate_posts, total_posts
from workflows.rules.ranking import Candidate, rank
from workflows.scripting import OperatorCall

DISQUALIFIER_LABELS = {code: zh for code, zh, _en in DISQUALIFIERS}
ROLE_LABELS = {
    "party_secretary_assistant": "村（社区）党支部书记助理",
    "director_assistant": "村（社区）主任助理",
}


def _campaign_of(runner: InstanceRunner, call: OperatorCall) -> CampaignModel:
    campaign_id = call.data.get("campaign_id") or (call.data.get("campaign") or {}).get("campaign_id")
    campaign = runner.session.get(CampaignModel, campaign_id) if campaign_id else None
    if campaign is None and runner.instance is not None:
        campaign = runner.session.scalars(
            select(CampaignModel).where(CampaignModel.instance_id == runner.instance.id)
        ).first()
    if campaign is None:
        raise OperatorFailedError("找不到该流程对应的招聘批次")
    return campaign


def _application(runner: InstanceRunner, application_id: Any) -> ApplicationModel:
    application = runner.session.get(ApplicationModel, application_id)
    if application is None:
        raise OperatorFailedError("报名记录 {application_id} 不存在", application_id=application_id)
    return application


@operator("compute_posts")
def compute_posts(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    allocations = allocate_posts(register_villages(runner.session))
    return {
        "posts": [
            {
                "village_code": a.village_code,
                "village_name": a.village_name,
                "town": a.town,
                "posts": a.posts,
                "reasons": list(a.reasons),
            }
            for a in allocations
        ],
        "total_posts": total_posts(allocations),
    }


@operator("approve_plan")
def approve_plan(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    assert runner.instance is not None  # noqa: S101 - operators always run inside an instance
    campaign = CampaignModel(
        instance_id=runner.instance.id,
        business_key=runner.instance.business_key or "",
        title=str(call.data.get("plan_title", "")),
        status="approved",
        plan=dict(call.data.get("plan") or {}),
        created_at=runner.ctx.clock.now(),
    )
    runner.session.add(campaign)
    runner.session.flush()
    return {"campaign_id": campaign.id, "total_posts": campaign.plan.get("total_posts", 0)}


@operator("open_registration")
def open_registration(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = _campaign_of(runner, call)
    start = date.fromisoformat(str(call.data["registration_start"]))
    end = date.fromisoformat(str(call.data["registration_end"]))
    today = runner.ctx.clock.now().astimezone(CHINA).date()
    if end < start:
        raise OperatorFailedError("报名截止日期不能早于报名开始日期")
    if end < today:
        raise OperatorFailedError("报名截止日期不能早于今天")
    closes_at = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=CHINA).astimezone(UTC)
    campaign.registration_start, campaign.registration_end = start, end
    campaign.closes_at, campaign.status = closes_at, "open"
    return {"campaign_id": campaign.id, "closes_at": closes_at.isoformat()}


@operator("close_registration")
def close_registration(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = _campaign_of(runner, call)
    campaign.status = "closed"
    counts = dict(
        runner.session.execute(
            select(ApplicationModel.status, func.count())
            .where(ApplicationModel.campaign_id == campaign.id)
            .group_by(ApplicationModel.status)
        ).all()
    )
    return {
        "applications": sum(counts.values()),
        "eligible": counts.get("eligible", 0),
        "ineligible": counts.get("ineligible", 0),
    }


@operator("rank_candidates")
def rank_candidates(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = _campaign_of(runner, call)
    eligible = {
        a.id: a
        for a in runner.session.scalars(
            select(ApplicationModel).where(
                ApplicationModel.campaign_id == campaign.id, ApplicationModel.status == "eligible"
            )
        )
    }
    entered = Counter(int(item["application_id"]) for item in call.data.get("scores", []))
    # A dict would silently keep the last of two scores for one applicant: which counts is not ours to guess.
    twice = sorted(application_id for application_id, times in entered.items() if times > 1)
    if twice:
        raise OperatorFailedError("以下报名编号的成绩录入了不止一次，请只保留一个成绩：{twice}", twice=twice)
    scores = {int(item["application_id"]): float(item["score"]) for item in call.data.get("scores", [])}
    unknown = sorted(set(scores) - set(eligible))
    if unknown:
        raise OperatorFailedError(
            "以下报名编号不是本批次资格审查合格的报名人员，不能录入成绩：{unknown}", unknown=unknown
        )
    candidates = []
    for application_id, score in scores.items():
        application = eligible[application_id]
        application.score = score
        candidates.append(
            Candidate(
                application_id=application_id,
                village_code=application.village_code,
                score=score,
                priority=frozenset(application.applicant.get("priority", [])),
                applied_at=application.applied_at,
            )
        )
    ranking = rank(candidates)
    for ranked in ranking.values():
        for position, candidate in enumerate(ranked, start=1):
            application = eligible[candidate.application_id]
            application.rank, application.status = position, "ranked"
    for application_id, application in eligible.items():
        if application_id not in scores:
            application.status, application.reasons = "absent", ["未参加考试或无考试成绩"]
    campaign.status = "ranked"
    return {"ranked": len(candidates), "villages": {code: len(items) for code, items in ranking.items()}}


@operator("start_post_hiring")
def start_post_hiring(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = _campaign_of(runner, call)
    villages = {v.code: v for v in runner.session.scalars(select(VillageModel))}
    started = []
    nested = InstanceRunner(runner.ctx, runner.session, runner.actor)
    for post in campaign.plan.get("posts", []):
        village = villages[post["village_code"]]
        for slot in range(1, int(post["posts"]) + 1):
            data = {
                "campaign_id": campaign.id,
                "village_code": village.code,
                "village_name": village.name_zh,
                "town": village.town,
                "slot": slot,
                "subject": f"{village.name_zh} 第{slot}岗",
            }
            key = f"{campaign.business_key}/{village.code}/{slot}"
            started.append(nested.start("post_hiring", data, key, use_case="start_post_hiring").id)
    campaign.status = "hiring"
    return {"instances": len(started)}


@operator("record_screening")
def record_screening(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    application = _application(runner, call.data.get("application_id"))
    reasons = list(call.data.get("reason") or [])
    application.reasons = reasons
    application.status = "ineligible" if reasons else "eligible"
    return {"eligible": not reasons, "reasons": reasons}


@operator("next_candidate")
def next_candidate(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    application = runner.session.scalars(
        select(ApplicationModel)
        .where(
            ApplicationModel.campaign_id == call.data["campaign_id"],
            ApplicationModel.village_code == call.data["village_code"],
            ApplicationModel.status == "ranked",
        )
        .order_by(ApplicationModel.rank, ApplicationModel.id)
        .limit(1)
        .with_for_update()
    ).first()
    if application is None:
        return {"found": False}
    application.status = "vetting"
    return {
        "found": True,
        "application_id": application.id,
        "name": application.name,
        "rank": application.rank,
        "score": application.score,
        "party_member": bool(application.applicant.get("party_member", False)),
    }


@operator("reject_candidate")
def reject_candidate(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    application = _application(runner, call.data["candidate"]["application_id"])
    findings = list(call.data.get("findings") or [])
    application.status = "vetting_failed"
    application.reasons = [DISQUALIFIER_LABELS.get(code, code) for code in findings]
    return {"rejected": application.id, "reasons": application.reasons}


@operator("report_vacancy")
def report_vacancy(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    assert runner.instance is not None  # noqa: S101
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        "system",
        "post_vacant",
        instance_id=runner.instance.id,
        village_code=call.data["village_code"],
        slot=call.data.get("slot"),
    )
    return {"vacant": True, "village_code": call.data["village_code"]}


@operator("start_public_notice")
def start_public_notice(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    application = _application(runner, call.data["candidate"]["application_id"])
    application.status = "notice"
    ends_at = runner.ctx.clock.now() + timedelta(days=runner.ctx.settings.notice_period_days)
    return {"ends_at": ends_at.isoformat(), "days": runner.ctx.settings.notice_period_days}


@operator("record_officer")
def record_officer(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    assert runner.instance is not None  # noqa: S101
    application = _application(runner, call.data["candidate"]["application_id"])
    village = runner.session.get(VillageModel, application.village_code)
    assert village is not None  # noqa: S101 - the foreign key guarantees it
    party_member = bool(application.applicant.get("party_member", False))
    role = "party_secretary_assistant" if party_member else "director_assistant"
    officer = OfficerModel(
        application_id=application.id,
        name=application.name,
        village_code=village.code,
        town=village.town,
        role=role,
        party_member=party_member,
        contract_number=str(call.data["contract_number"]),
        contract_start=date.fromisoformat(str(call.data["contract_start"])),
        contract_end=date.fromisoformat(str(call.data["contract_end"])),
        status="in_service",
        hiring_instance_id=runner.instance.id,
        hired_at=runner.ctx.clock.now(),
    )
    if officer.contract_end <= officer.contract_start:
        raise OperatorFailedError("合同终止日期必须晚于合同开始日期")
    runner.session.add(officer)
    application.status = "hired"
    runner.session.flush()
    return {"officer_id": officer.id, "role": role, "role_label": ROLE_LABELS[role]}


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
    refuse_unfit_id_number(session, campaign.id, applicant)
    inputs = screening_inputs(applicant, now.astimezone(CHINA).date())
    application = ApplicationModel(
        campaign_id=campaign.id,
        village_code=applicant["village_code"],
        name=applicant["name"],
        id_number=applicant["id_number"],
        birth_date=date.fromisoformat(applicant["birth_date"]),
        applicant=applicant,
        status="submitted",
        reasons=[],
        applied_at=now,
    )
    session.add(application)
    session.flush()
    names = {p["village_code"]: p["village_name"] for p in campaign.plan.get("posts", [])}
    village_name = names[applicant["village_code"]]
    data = {
        **inputs,
        "application_id": application.id,
        "campaign_id": campaign.id,
        "subject": f"{application.name}（{village_name}）",
    }
    runner = InstanceRunner(ctx, session, caller.username)
    instance = runner.start(
        "applicant_screening",
        data,
        f"{campaign.business_key}/A{application.id}",
        use_case="register_application",
    )
    application.screening_instance_id = instance.id
    return application


def _normalised(applicant: dict[str, Any]) -> dict[str, Any]:
    """Make the applicant JSON-able and derive the 'local of the village' priority from the home village."""
    result = {**applicant, "birth_date": str(applicant["birth_date"])}
    result["id_number"] = str(result["id_number"]).strip().upper()  # x and X are one check character
    priority = set(result.get("priority") or [])
    if result.get("home_village_code") and result["home_village_code"] == result["village_code"]:
        priority.add("local_resident")
    result["priority"] = sorted(priority)
    return result


def campaign_report(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    """Posts filled, vacant and in progress; applicants by status and rejection reason."""
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        if campaign is None:
            raise NotFoundError("招聘批次 {campaign_id} 不存在", campaign_id=campaign_id)
        applications = list(
            session.scalars(select(ApplicationModel).where(ApplicationModel.campaign_id == campaign_id))
        )
        officers = list(
            session.scalars(
                select(OfficerModel).join(ApplicationModel).where(ApplicationModel.campaign_id == campaign_id)
            )
        )
        hiring = list(
            session.scalars(
                select(InstanceModel).where(
                    InstanceModel.process_id == "post_hiring",
                    InstanceModel.business_key.startswith(f"{campaign.business_key}/", autoescape=True),
                )
            )
        )
        by_status: dict[str, int] = {}
        by_reason: dict[str, int] = {}
        for application in applications:
            by_status[application.status] = by_status.get(application.status, 0) + 1
            for reason in application.reasons:
                by_reason[reason] = by_reason.get(reason, 0) + 1
        hired_by = {officer.hiring_instance_id for officer in officers}
        vacant = [i.business_key for i in hiring if i.status == "completed" and i.id not in hired_by]
        return {
            "campaign": campaign,
            "applications": applications,
            "officers": officers,
            "posts_total": campaign.plan.get("total_posts", 0),
            "posts_filled": len(officers),
            "posts_vacant": vacant,
            "posts_in_progress": sum(1 for i in hiring if i.status == "running"),
            "applicants_by_status": by_status,
            "rejections_by_reason": by_reason,
        }
