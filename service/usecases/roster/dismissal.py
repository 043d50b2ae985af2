"""Dismissal (清退) and re-hiring: the ``dismissal`` process's operators and what the roster reads of it.

A case starts three ways (bpmn/dismissal/, docs/design.md "Dismissal and re-hiring"): the monthly
appraisal's dismissal review concludes "dismiss" (``start_dismissal``, after two incompetent grades in 12
months), or a member of the sub-bureau or of a police station refers it from the officer's page with a
disqualifier found later or a serious breach (the model's ``startedBy``). ``open_dismissal_case`` checks
the officer and opens the case row; ``record_dismissal`` closes it: a dismissal puts the officer out of
service from the day the service company ended the contract (the post is a vacancy for the next campaign
from then on, as every post without an officer in service is), and marks whether the case's category bars
re-hiring (the model's ``bars_rehiring``). The campaign's screening reads that mark
(``rehiring_bar``) to refuse a former officer's application.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import (
    DismissalCaseModel,
    MembershipModel,
    OfficerModel,
    UserModel,
)
from service.usecases.dismissal_records import CATEGORY_LABELS, leave_reason
from service.usecases.errors import OperatorFailedError
from service.usecases.names import village_names
from service.usecases.officer_labels import IN_SERVICE, status_label
from service.usecases.roster.status import leave_service, snapshot
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

PROCESS_ID = "dismissal"
RECORDED = "dismissal_recorded"


def _refuse(zh: str, en: str, **values: Any) -> OperatorFailedError:
    return OperatorFailedError(zh, english=en, **values)


@operator("start_dismissal")
def start_dismissal(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The appraisal's dismissal review concluded "dismiss": open a dismissal case (a process of its own).

    The review is the sub-bureau's, one of the departments the model lets start a dismissal (``startedBy``),
    and it counts as the case's review: the case goes on to the town government's opinion.
    """
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    month = str(data["month"])
    start = {
        "officer_id": int(data["officer_id"]),
        "category": "incompetent",
        "facts": f"{month} 月度考核（流程 {runner.instance.id}）清退审查结论为清退：{data['reason']}",
    }
    nested = InstanceRunner(runner.ctx, runner.session, runner.actor)
    key = f"{start['officer_id']}/{month}"
    instance = nested.start(PROCESS_ID, start, key, use_case=None)
    return {"started": True, "instance_id": instance.id}


@operator("open_dismissal_case")
def open_dismissal_case(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Check that the officer is in service with no case open, and open this one."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    session, data = runner.session, call.data
    officer_id = int(data["officer_id"])
    officer = session.scalars(
        select(OfficerModel).where(OfficerModel.id == officer_id).with_for_update()
    ).first()
    if officer is None:
        raise _refuse("辅警 {officer_id} 不存在", "No officer {officer_id}", officer_id=officer_id)
    if officer.status != IN_SERVICE:
        status = status_label(officer.status)
        raise _refuse(
            "{name}已不在岗（{status}，自 {since} 起），不能提请清退",
            "{name} is no longer in service ({status_en} since {since}); no dismissal can be referred",
            name=officer.name,
            status=status[0],
            status_en=status[1],
            since=officer.status_since.isoformat(),
        )
    refuse_other_towns_station(session, runner.actor, officer)
    open_case = session.scalars(
        select(DismissalCaseModel.instance_id).where(
            DismissalCaseModel.officer_id == officer_id, DismissalCaseModel.outcome.is_(None)
        )
    ).first()
    if open_case is not None:
        raise _refuse(
            "{name}已有办理中的清退案件（流程 {instance_id}），不能重复提请",
            "{name} already has a dismissal case in progress (instance {instance_id})",
            name=officer.name,
            instance_id=open_case,
        )
    category = str(data["category"])
    case = DismissalCaseModel(
        instance_id=runner.instance.id,
        officer_id=officer_id,
        category=category,
        disqualifier=str(data["disqualifier"]) if category == "disqualifier" else None,
        facts=str(data["facts"]).strip(),
        reported_by=runner.actor,
        opened_at=runner.ctx.clock.now(),
        rehire_barred=False,
    )
    session.add(case)
    session.flush()
    village = village_names(session, [officer.village_code]).get(officer.village_code)
    village_name = village.zh if village is not None else officer.village_code
    return {
        "case_id": case.id,
        "officer_name": officer.name,
        "village_code": officer.village_code,
        "village_name": village_name,
        "town": officer.town,
        "reported_by": runner.actor,
        "subject": f"{officer.name}（{village_name}）",
    }


def refuse_other_towns_station(session: Session, username: str, officer: OfficerModel) -> None:
    """A police station refers only the officers of its own town; the sub-bureau refers any officer."""
    departments = set(
        session.scalars(
            select(MembershipModel.department_code)
            .join(UserModel, UserModel.id == MembershipModel.user_id)
            .where(UserModel.username == username)
        )
    )
    stations = {code for code in departments if code.startswith("police_station:")}
    if "police_bureau" in departments or not stations or f"police_station:{officer.town}" in stations:
        return
    raise _refuse(
        "{name}不属于本派出所辖区，应由其所在镇的派出所或公安分局提请清退",
        "{name} is not in your station's town; their own town's station or the sub-bureau refers them",
        name=officer.name,
    )


def outcome_of(data: Any) -> tuple[str, str, str]:
    """(outcome, grounds, grounds in English) of the case, by the path it took.

    The grounds people wrote stay as written in both languages; the service's own words are translated.
    """
    if "propose" in data and not data["propose"]:
        opinion = str(data.get("review_opinion") or "").strip()
        return (
            "kept",
            f"公安分局审查不予提请：{opinion}",
            f"Not proposed by the sub-bureau's review: {opinion}",
        )
    reason = str(data.get("decision_reason") or "").strip()
    if not data.get("dismiss"):
        return "kept", f"公安分局决定不予清退：{reason}", f"The sub-bureau decided not to dismiss: {reason}"
    return "dismissed", reason, reason


def _bars(call: OperatorCall) -> set[str]:
    """The categories whose dismissal bars re-hiring, as the model's ``bars_rehiring`` names them."""
    declared = {
        part.strip() for part in str(call.params.get("bars_rehiring") or "").split(",") if part.strip()
    }
    unknown = sorted(declared - CATEGORY_LABELS.keys())
    if unknown:
        raise _refuse(
            "模型参数 bars_rehiring 含未知的清退事由：{codes}（可用：{known}）",
            "The model's bars_rehiring names unknown grounds: {codes} (known: {known})",
            codes=", ".join(unknown),
            known=", ".join(CATEGORY_LABELS),
        )
    return declared


@operator("record_dismissal")
def record_dismissal(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Close the case; a dismissal puts the officer out of service from the day the contract ended."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    session, data = runner.session, call.data
    bars = _bars(call)
    case = session.scalars(
        select(DismissalCaseModel).where(DismissalCaseModel.instance_id == runner.instance.id)
    ).one()
    outcome, grounds, grounds_en = outcome_of(data)
    today = runner.ctx.clock.now().astimezone(CHINA).date()
    officer = session.scalars(
        select(OfficerModel).where(OfficerModel.id == case.officer_id).with_for_update()
    ).one()
    before = snapshot(officer)
    if outcome == "dismissed":
        left_on = date.fromisoformat(str(data["contract_ended_on"]))
        if not officer.contract_start <= left_on <= today:
            raise _refuse(
                "合同解除日期应在合同开始日期 {start} 至今天 {today} 之间",
                "The day the contract ended must lie between the contract start {start} and today {today}",
                start=officer.contract_start.isoformat(),
                today=today.isoformat(),
            )
        case.left_on = left_on
        case.rehire_barred = case.category in bars
        if officer.status == IN_SERVICE:  # resigned meanwhile: the case is recorded, the status stays
            reason = leave_reason(case.category, case.disqualifier, grounds)
            leave_service(officer, "dismissed", left_on, reason)
    case.outcome, case.decided_on, case.grounds = outcome, today, grounds
    record: dict[str, Any] = {
        "outcome": outcome,
        "decided_on": today.isoformat(),
        "left_on": case.left_on.isoformat() if case.left_on else None,
        "rehire_barred": case.rehire_barred,
        "grounds": grounds,
    }
    audit.record(
        session,
        runner.ctx.clock.now(),
        runner.actor,
        RECORDED,
        instance_id=runner.instance.id,
        department_code="police_bureau",
        officer_id=officer.id,
        officer_name=officer.name,
        category=case.category,
        disqualifier=case.disqualifier,
        facts=case.facts,
        reported_by=case.reported_by,
        town_opinion=data.get("town_opinion"),
        grounds_en=grounds_en,
        before=before,
        after=snapshot(officer),
        **record,
    )
    return record
