"""Registration and examination: open and close registration, rank the examined applicants."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select

from service.persistence.models import ApplicationModel
from service.usecases.errors import OperatorFailedError
from service.usecases.recruitment.calendar import end_of_day
from service.usecases.recruitment.common import campaign_of
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.rules.ranking import Candidate, rank
from workflows.scripting import OperatorCall

# The public notice's length when the announcement states none: the policy's practice (公示期 7 天).
NOTICE_DAYS_DEFAULT = 7


@operator("open_registration")
def open_registration(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = campaign_of(runner, call)
    start = date.fromisoformat(str(call.data["registration_start"]))
    end = date.fromisoformat(str(call.data["registration_end"]))
    today = runner.ctx.clock.now().astimezone(CHINA).date()
    if end < start:
        raise OperatorFailedError("报名截止日期不能早于报名开始日期")
    if end < today:
        raise OperatorFailedError("报名截止日期不能早于今天")
    closes_at = end_of_day(end)
    campaign.registration_start, campaign.registration_end = start, end
    campaign.closes_at, campaign.status = closes_at, "open"
    campaign.notice_days = int(call.data.get("notice_days") or NOTICE_DAYS_DEFAULT)
    reference = call.data.get("age_reference_date")  # one day for every applicant's age; the deadline if none
    campaign.age_reference_date = date.fromisoformat(str(reference)) if reference else end
    return {"campaign_id": campaign.id, "closes_at": closes_at.isoformat()}


@operator("close_registration")
def close_registration(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = campaign_of(runner, call)
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
    campaign = campaign_of(runner, call)
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
