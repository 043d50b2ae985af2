"""Rewards: the appraisal's reward proposal decided by the town's veto and the sub-bureau, then recorded.

The monthly appraisal's ``start_reward_decision`` operator starts one ``reward_decision`` instance
(bpmn/rewards/) per proposal, business key ``<officer>/<month>``, carrying who proposed it: the model's
``notDoneBy`` keeps that person from deciding it. ``find_period_vetoes`` looks up the town's one-vote vetoes
of the officer in the period the model names (``period_months``, a parameter of the service task, so the
designer changes it, not the code); a veto in it refuses the reward without asking anybody. Otherwise the
town government gives its opinion (it may veto), then a head of the sub-bureau decides. ``record_reward``
puts the outcome on the officer's record as the audit event ``reward_recorded`` (there is no table of
officer events: the audit log is append-only and kept, so it is the record the officer's page reads).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import AppraisalRecordModel, AuditEventModel, InstanceModel
from service.usecases.errors import OperatorFailedError
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

PROCESS_ID = "reward_decision"
RECORDED = "reward_recorded"
KIND_LABELS = {
    "commend": ("通报表扬", "Public commendation"),
    "bonus": ("奖励性绩效", "Performance bonus"),
    "none": ("不予奖励", "No reward"),
}
OUTCOME_LABELS = {"granted": ("予以奖励", "Granted"), "refused": ("不予奖励", "Refused")}


def period_months(month: str, count: int) -> list[str]:
    """The ``count`` months ending with ``month`` (``YYYY-MM``), oldest first."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


@operator("start_reward_decision")
def start_reward_decision(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Refer the appraisal's reward proposal to the town and the sub-bureau (a process of its own)."""
    data = call.data
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    start = {
        "officer_id": int(data["officer_id"]),
        "officer_name": data["officer_name"],
        "village_code": data["village_code"],
        "village_name": data["village_name"],
        "town": data["town"],
        "month": data["month"],
        "proposal": data["proposal"],
        "proposal_reason": data["reason"],
        # The completer of the reward proposal: the service task runs in the transaction of that completion.
        "proposed_by": runner.actor,
        "proposed_at": runner.ctx.clock.now().isoformat(),
        "appraisal_instance_id": runner.instance.id,
        "subject": f"{data['officer_name']}（{data['village_name']}）{data['month']}",
    }
    key = f"{start['officer_id']}/{start['month']}"
    nested = InstanceRunner(runner.ctx, runner.session, runner.actor)
    instance = nested.start(PROCESS_ID, start, key, use_case="start_reward_decision")
    return {"started": True, "instance_id": instance.id}


@operator("find_period_vetoes")
def find_period_vetoes(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The months of the period (``period_months`` up to the proposal's month) the officer was vetoed."""
    count = int(call.params.get("period_months") or 0)
    if count < 1:
        raise OperatorFailedError(
            "奖励否决期间 period_months 应为正整数，模型中为 {value}",
            english="The veto period period_months must be a positive number; the model says {value}",
            value=call.params.get("period_months"),
        )
    months = period_months(str(call.data["month"]), count)
    vetoed = runner.session.scalars(
        select(AppraisalRecordModel.month)
        .where(
            AppraisalRecordModel.officer_id == int(call.data["officer_id"]),
            AppraisalRecordModel.month.in_(months),
            AppraisalRecordModel.veto.is_(True),
        )
        .order_by(AppraisalRecordModel.month)
    ).all()
    return {
        "vetoed": bool(vetoed),
        "months": list(vetoed),
        "period_months": count,
        "from_month": months[0],
        "to_month": months[-1],
    }


def outcome_of(data: Any) -> tuple[str, str | None, str, str]:
    """(outcome, kind, grounds, grounds in English) of the decision the instance reached, by its path.

    The grounds people wrote stay as written in both languages; the ones the service words are translated.
    """
    period = data.get("period_vetoes") or {}
    if period.get("vetoed"):
        span, months = (period["from_month"], period["to_month"]), period.get("months") or []
        return (
            "refused",
            None,
            f"{span[0]}至{span[1]}期间被镇政府一票否决（{'、'.join(months)}），不予奖励",
            f"Vetoed by the town government in the period {span[0]} to {span[1]} ({', '.join(months)}): "
            "no reward",
        )
    if data.get("town_veto"):
        reason = str(data.get("town_veto_reason") or "").strip()
        return "refused", None, f"镇政府一票否决：{reason}", f"Vetoed by the town government: {reason}"
    reason = str(data.get("decision_reason") or "").strip()
    if data.get("approve"):
        return "granted", str(data["reward_kind"]), reason, reason
    return "refused", None, reason, reason


@operator("record_reward")
def record_reward(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the decision on the officer's record: the ``reward_recorded`` event, with its grounds."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    outcome, kind, grounds, grounds_en = outcome_of(data)
    decided_on = runner.ctx.clock.now().astimezone(CHINA).date().isoformat()
    record = {"outcome": outcome, "kind": kind, "decided_on": decided_on, "grounds": grounds}
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        RECORDED,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=data["officer_name"],
        month=data["month"],
        proposal=data["proposal"],
        proposal_reason=data["proposal_reason"],
        proposed_by=data["proposed_by"],
        grounds_en=grounds_en,
        **record,
    )
    return record


def reward_history(session: Session, officer_id: int) -> list[dict[str, Any]]:
    """The officer's reward decisions, newest first, read from their ``reward_recorded`` events."""
    instances = select(InstanceModel.id).where(
        InstanceModel.process_id == PROCESS_ID,
        InstanceModel.business_key.like(f"{officer_id}/%"),
    )
    events = session.scalars(
        select(AuditEventModel)
        .where(AuditEventModel.action == RECORDED, AuditEventModel.instance_id.in_(instances))
        .order_by(AuditEventModel.at.desc(), AuditEventModel.id.desc())
    )
    rows = []
    for event in events:
        payload = event.payload
        outcome = OUTCOME_LABELS.get(str(payload.get("outcome")), ("", ""))
        kind = KIND_LABELS.get(payload.get("kind") or "", ("—", "—"))
        proposed = KIND_LABELS.get(payload.get("proposal") or "", ("—", "—"))
        rows.append(
            {
                "decided_on": date.fromisoformat(payload["decided_on"]),
                "month": payload.get("month"),
                "outcome": payload.get("outcome"),
                "outcome_label": outcome[0],
                "outcome_label_en": outcome[1],
                "kind": payload.get("kind"),
                "kind_label": kind[0],
                "kind_label_en": kind[1],
                "proposal_label": proposed[0],
                "proposal_label_en": proposed[1],
                "grounds": payload.get("grounds"),
                "grounds_en": payload.get("grounds_en") or payload.get("grounds"),
                "decided_by": event.actor,
                "instance_id": event.instance_id,
            }
        )
    return rows
