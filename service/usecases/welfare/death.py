"""Death on duty (牺牲) and martyr evaluation (烈士评定): the officer's status, and the outcome on the record.

``record_death`` runs once the sub-bureau has confirmed the facts: the officer leaves service on the day of
death, as died on duty (牺牲) when the sub-bureau confirmed it, else deceased (死亡); the post is a vacancy
from then on (vacancies are the register's posts minus the officers in service). ``record_death_on_duty``
records the martyr evaluation with its grounds and the family's benefits finance confirmed, as the audit
event ``death_on_duty_recorded``, which the officer's page reads (``death_on_duty_record``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import AuditEventModel, InstanceModel, OfficerModel
from service.usecases.dismissal_records import leave_reason_en as dismissal_reason_en
from service.usecases.errors import OperatorFailedError
from service.usecases.officer_labels import IN_SERVICE
from service.usecases.runner import InstanceRunner, operator
from service.usecases.welfare.injury import exit_reason_en
from workflows.scripting import OperatorCall

PROCESS_ID = "death_on_duty"
RECORDED = "death_on_duty_recorded"
OUTCOME_LABELS = {
    "martyr": ("评定为烈士", "Evaluated as a martyr"),
    "not_martyr": ("因公牺牲，未评定为烈士", "Died on duty; not evaluated as a martyr"),
    "not_on_duty": ("经核实非因公死亡", "Found not to have died on duty"),
}
RELATIONSHIP_LABELS = {
    "spouse": ("配偶", "Spouse"),
    "child": ("子女", "Child"),
    "parent": ("父母", "Parent"),
    "other": ("其他近亲属", "Other close relative"),
}
AMOUNT_FIELDS = ("one_time_pension", "funeral_grant", "monthly_pension")
# The reason for leaving the roster gets when the process records a death, in both languages: the officer's
# page and the roster show the reader's (``leave_reason_en``); a reason a head typed stays as typed.
DEATH_REASONS = {
    "died_on_duty": ("因公牺牲", "Died on duty"),
    "deceased": ("死亡（经核实非因公）", "Died; found not to have died on duty"),
}


def leave_reason_en(reason: str | None) -> str | None:
    """The English of a reason for leaving the service wrote (a death, leaving the post after a work injury,
    a dismissal); any other reason as it was typed."""
    english = {zh: en for zh, en in DEATH_REASONS.values()}
    if reason in english:
        return english[reason]
    return (exit_reason_en(reason) or dismissal_reason_en(reason) if reason else None) or reason


@operator("record_death")
def record_death(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The officer leaves service on the day of death (died on duty or deceased, as the sub-bureau found);
    the post becomes a vacancy. One who had already left keeps the record of that leaving."""
    # Imported here: the roster's listing reads this module for the officer's page, and status imports it.
    from service.usecases.roster.status import leave_service, snapshot  # noqa: PLC0415

    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    officer = runner.session.scalars(
        select(OfficerModel).where(OfficerModel.id == int(data["officer_id"])).with_for_update()
    ).first()
    if officer is None:
        raise OperatorFailedError(
            "辅警 {officer_id} 已不在名册中",
            english="Officer {officer_id} is no longer on the roster",
            officer_id=data["officer_id"],
        )
    status = "died_on_duty" if data.get("died_on_duty") else "deceased"
    if officer.status != IN_SERVICE:
        return {"status": officer.status, "changed": False}
    before = snapshot(officer)
    reason = DEATH_REASONS[status][0]
    leave_service(officer, status, date.fromisoformat(str(data["death_date"])), reason)
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        "officer_status_changed",
        instance_id=runner.instance.id,
        department_code="police_bureau",
        officer_id=officer.id,
        officer_name=officer.name,
        before=before,
        after=snapshot(officer),
    )
    return {
        "status": status,
        "changed": True,
        "left_on": officer.left_on.isoformat() if officer.left_on else None,
    }


def outcome_of(data: Any) -> str:
    if not data.get("died_on_duty"):
        return "not_on_duty"
    return "martyr" if data.get("martyr") else "not_martyr"


@operator("record_death_on_duty")
def record_death_on_duty(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Record the facts, the martyr evaluation with its grounds and the family's confirmed benefits."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    outcome = outcome_of(data)
    on_duty = outcome != "not_on_duty"
    record: dict[str, Any] = {
        "outcome": outcome,
        "facts": str(data.get("facts_finding") or ""),
        "grounds": str(data.get("evaluation_grounds") or "")
        if on_duty
        else str(data.get("facts_finding") or ""),
        "beneficiary_name": data.get("beneficiary_name") if on_duty else None,
        "relationship": data.get("relationship") if on_duty else None,
        "amounts": {name: data.get(name) for name in AMOUNT_FIELDS} if on_duty else {},
    }
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        RECORDED,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=data["officer_name"],
        death_date=data["death_date"],
        **record,
    )
    return record


def death_on_duty_record(session: Session, officer_id: int) -> dict[str, Any] | None:
    """The officer's reported death: the report, and once recorded the outcome, grounds and benefits."""
    instance = session.scalars(
        select(InstanceModel).where(
            InstanceModel.process_id == PROCESS_ID, InstanceModel.business_key == str(officer_id)
        )
    ).first()
    if instance is None:
        return None
    event = session.scalars(
        select(AuditEventModel).where(
            AuditEventModel.action == RECORDED, AuditEventModel.instance_id == instance.id
        )
    ).first()
    if event is None:
        return {
            "instance_id": instance.id,
            "outcome": "pending",
            "outcome_label": "办理中",
            "outcome_label_en": "In progress",
        }
    payload = event.payload
    outcome = OUTCOME_LABELS[str(payload["outcome"])]
    relationship = RELATIONSHIP_LABELS.get(str(payload.get("relationship")), ("—", "—"))
    return {
        "instance_id": instance.id,
        "death_date": payload.get("death_date"),
        "outcome": payload["outcome"],
        "outcome_label": outcome[0],
        "outcome_label_en": outcome[1],
        "facts": payload.get("facts"),
        "grounds": payload.get("grounds"),
        "beneficiary_name": payload.get("beneficiary_name"),
        "relationship_label": relationship[0],
        "relationship_label_en": relationship[1],
        "amounts": payload.get("amounts") or {},
    }
