"""Hiring post by post: the next candidate, vetting, vacancy, public notice and the officer record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from service import audit
from service.persistence.models import ApplicationModel, OfficerModel, VillageModel
from service.usecases.errors import OperatorFailedError
from service.usecases.recruitment.common import application_of, campaign_of
from service.usecases.runner import InstanceRunner, operator
from workflows.rules.eligibility import DISQUALIFIERS
from workflows.scripting import OperatorCall

DISQUALIFIER_LABELS = {code: zh for code, zh, _en in DISQUALIFIERS}
ROLE_LABELS = {
    "party_secretary_assistant": "村（社区）党支部书记助理",
    "director_assistant": "村（社区）主任助理",
}


@operator("start_post_hiring")
def start_post_hiring(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    campaign = campaign_of(runner, call)
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
    application = application_of(runner, call.data["candidate"]["application_id"])
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
    application = application_of(runner, call.data["candidate"]["application_id"])
    application.status = "notice"
    # The campaign's own notice length, stated in its announcement (the bureau head may move the end).
    days = campaign_of(runner, call).notice_days
    ends_at = runner.ctx.clock.now() + timedelta(days=days)
    return {"ends_at": ends_at.isoformat(), "days": days}


@operator("record_officer")
def record_officer(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    assert runner.instance is not None  # noqa: S101
    application = application_of(runner, call.data["candidate"]["application_id"])
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
