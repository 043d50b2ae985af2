"""Work injury (工伤): the officer's duty status while injured, and the outcome on the officer's record.

``record_duty_status`` records the status the model's service task names (its parameter ``status``:
``injury_leave`` when the station reports, ``back_at_work`` when it records the return), so the designer
moves or adds a step without code; ``record_work_injury`` records the recognition as soon as it is made
(with its grounds and disability grade), ``record_injury_benefits`` the benefits once finance confirmed
them. All are audit events (append-only and kept, as the rewards' are: service/usecases/roster/rewards.py),
read back for the officer's page by ``injury_history``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.errors import OperatorFailedError
from service.usecases.runner import InstanceRunner, operator
from workflows.scripting import OperatorCall

PROCESS_ID = "work_injury"
STATUS_RECORDED = "duty_status_recorded"
RECORDED = "work_injury_recorded"
BENEFITS_RECORDED = "work_injury_benefits_recorded"
# The duty status and the day it took effect: the report's injury day, the return's day.
DUTY_STATUSES: dict[str, tuple[str, str, str]] = {
    "injury_leave": ("工伤停工", "On injury leave", "injury_date"),
    "back_at_work": ("已复岗", "Back at work", "return_date"),
}
OUTCOME_LABELS = {
    "recognised": ("认定为工伤", "Recognised"),
    "not_recognised": ("不予认定", "Not recognised"),
    "pending": ("认定中", "Being decided"),
}
GRADE_LABELS = {"none": ("未达伤残等级", "No disability grade")} | {
    f"grade_{n}": (f"{'一二三四五六七八九十'[n - 1]}级伤残", f"Grade {n} disability") for n in range(1, 11)
}
AMOUNT_FIELDS = ("medical_expenses", "wages_during_leave", "disability_allowance")


@operator("record_duty_status")
def record_duty_status(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Record the officer's duty status the model names (``status``), from the day the data gives."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    status = str(call.params.get("status") or "")
    if status not in DUTY_STATUSES:
        raise OperatorFailedError(
            "工伤状态 status 应为 {known} 之一，模型中为 {value}",
            english="The duty status must be one of {known}; the model says {value}",
            known=", ".join(DUTY_STATUSES),
            value=status,
        )
    data = call.data
    since = str(data.get(DUTY_STATUSES[status][2]) or "")
    record = {"status": status, "since": since}
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        STATUS_RECORDED,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=data["officer_name"],
        injury_date=data["injury_date"],
        injury_place=data["injury_place"],
        injury=data["injury"],
        **record,
    )
    return record


@operator("record_work_injury")
def record_work_injury(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the recognition on the officer's record as soon as it is made: outcome, grounds, grade."""
    data = call.data
    recognised = bool(data.get("recognised"))
    record: dict[str, Any] = {
        "outcome": "recognised" if recognised else "not_recognised",
        "grounds": str(data.get("recognition_grounds") or ""),
        "disability_grade": data.get("disability_grade") if recognised else None,
    }
    _record(runner, RECORDED, data, record)
    return record


@operator("record_injury_benefits")
def record_injury_benefits(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the benefits on the officer's record once finance confirmed their funding."""
    data = call.data
    record: dict[str, Any] = {"amounts": {name: data.get(name) for name in AMOUNT_FIELDS}}
    _record(runner, BENEFITS_RECORDED, data, record)
    return record


def _record(runner: InstanceRunner, action: str, data: Any, record: dict[str, Any]) -> None:
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        action,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=data["officer_name"],
        injury_date=data["injury_date"],
        **record,
    )


def injury_history(session: Session, officer_id: int) -> list[dict[str, Any]]:
    """The officer's reported injuries, newest first: the latest duty status and, once decided, the
    recognition with its grounds, grade and amounts."""
    instances = select(InstanceModel.id).where(
        InstanceModel.process_id == PROCESS_ID, InstanceModel.business_key.like(f"{officer_id}/%")
    )
    events = session.scalars(
        select(AuditEventModel)
        .where(
            AuditEventModel.action.in_((STATUS_RECORDED, RECORDED, BENEFITS_RECORDED)),
            AuditEventModel.instance_id.in_(instances),
        )
        .order_by(AuditEventModel.at, AuditEventModel.id)
    )
    rows: dict[int, dict[str, Any]] = {}
    for event in events:
        payload = event.payload
        row = rows.setdefault(int(event.instance_id or 0), _pending_row(event.instance_id, payload))
        if event.action == STATUS_RECORDED:
            label = DUTY_STATUSES.get(str(payload.get("status")), ("", "", ""))
            row.update(status=payload["status"], status_label=label[0], status_label_en=label[1])
            row["status_since"] = payload.get("since")
        elif event.action == RECORDED:
            outcome = OUTCOME_LABELS[str(payload["outcome"])]
            grade = GRADE_LABELS.get(str(payload.get("disability_grade")), ("—", "—"))
            row.update(
                outcome=payload["outcome"],
                outcome_label=outcome[0],
                outcome_label_en=outcome[1],
                grade_label=grade[0],
                grade_label_en=grade[1],
                grounds=payload.get("grounds"),
            )
        else:
            amounts = payload.get("amounts") or {}
            row.update(amounts=amounts, total_amount=sum(float(v or 0) for v in amounts.values()))
    return sorted(rows.values(), key=lambda r: (r["injury_date"], r["instance_id"]), reverse=True)


def _pending_row(instance_id: int | None, payload: dict[str, Any]) -> dict[str, Any]:
    pending = OUTCOME_LABELS["pending"]
    return {
        "instance_id": instance_id,
        "injury_date": payload.get("injury_date"),
        "injury_place": payload.get("injury_place"),
        "injury": payload.get("injury"),
        "outcome": "pending",
        "outcome_label": pending[0],
        "outcome_label_en": pending[1],
        "grade_label": "—",
        "grade_label_en": "—",
        "grounds": None,
        "amounts": {},
        "total_amount": None,
    }
