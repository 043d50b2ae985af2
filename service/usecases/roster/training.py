"""Training and the confidentiality undertaking (issue 17, point 6): the sub-bureau's rules of the policy's
section (3) ("教育培训、保密管理 ... 由公安分局按照农村辅警管理办法执行").

``training`` (bpmn/training/): the sub-bureau plans a training (title, dates, place, content, the cohort by
town, hire date, training not yet had and officers chosen by name: roster/training_cohort.py); a head of
the sub-bureau who did not plan it approves it (``notDoneBy``);
``enrol_training_cohort`` starts one ``training_attendance`` instance per officer of
the cohort, whose task the sub-bureau completes for the whole cohort in one table (``bulkComplete``) after
the training, due ``result_days`` (a parameter of the model's service task) after its last day.
``record_training`` puts each officer's attendance and result on the officer's record.

``confidentiality_undertaking``: the sub-bureau registers an officer's signed undertaking (保密承诺书); the
task cannot be completed without the scanned file (``requiresAttachment``). ``record_undertaking`` puts it
on the officer's record. An officer in service without one is on the bureau's list of missing undertakings,
is counted at the month's appraisal start, and is not paid: the payroll check refuses the row
(docs/design.md, "Training and confidentiality").

As with rewards, the records are audit events (append-only and kept), found through the instances whose data
names the officer (``instance_subjects``), so no table of officer events is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import AuditEventModel, InstanceModel, InstanceSubjectModel, OfficerModel
from service.usecases.errors import OperatorFailedError
from service.usecases.names import village_names
from service.usecases.roster import training_cohort
from service.usecases.runner import InstanceRunner, operator
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

TRAINING = "training"
ATTENDANCE = "training_attendance"
UNDERTAKING = "confidentiality_undertaking"
TRAINING_RECORDED = "training_recorded"
UNDERTAKING_RECORDED = "undertaking_recorded"
RESULT_LABELS = {
    "passed": ("合格", "Passed"),
    "failed": ("不合格", "Failed"),
    "absent": ("未参训", "Absent"),
}


def _day(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise OperatorFailedError(
            "{field} 不是日期：{value}", english="{field} is not a date: {value}", field=field, value=value
        ) from error


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA)


@operator("training_planner")
def training_planner(runner: InstanceRunner, call: OperatorCall) -> str:
    """Who planned the training (its starter: the model's ``notDoneBy`` keeps them from approving it), once
    the plan's dates and cohort are checked, so that a plan nobody could attend is refused at its start."""
    _plan_dates(call.data)
    training_cohort.check_chosen(runner.session, call.data)
    if not _cohort(runner.session, call.data):
        raise OperatorFailedError(
            "参训范围内没有在岗辅警：请检查所属镇、入职日期和参训情况",
            english="No officer in service matches the cohort: check the town, hire date and training",
        )
    return runner.actor


def _plan_dates(data: Any) -> tuple[date, date]:
    start, end = _day(data["start_date"], "start_date"), _day(data["end_date"], "end_date")
    if end < start:
        raise OperatorFailedError(
            "培训结束日期 {end} 早于开始日期 {start}",
            english="The training ends ({end}) before it starts ({start})",
            end=end.isoformat(),
            start=start.isoformat(),
        )
    return start, end


def _cohort(session: Session, data: Any) -> list[OfficerModel]:
    """The officers in service the plan names (roster/training_cohort.py): of its town, hired since its
    date, not trained yet, the chosen ones; each criterion only when given."""
    return training_cohort.cohort(session, data)


@operator("enrol_training_cohort")
def enrol_training_cohort(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Open a training record (a ``training_attendance`` instance) for each officer of the plan's cohort."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    start, end = _plan_dates(data)
    days = int(call.params.get("result_days") or 0)
    if days < 1:
        raise OperatorFailedError(
            "登记培训结果的期限 result_days 应为正整数，模型中为 {value}",
            english="The time limit result_days must be a positive number; the model says {value}",
            value=call.params.get("result_days"),
        )
    officers = _cohort(runner.session, data)
    if not officers:  # officers left between the plan and its approval
        raise OperatorFailedError(
            "参训范围内没有在岗辅警：请检查所属镇、入职日期和参训情况",
            english="No officer in service matches the cohort: check the town, hire date and training",
        )
    due_at = _end_of_day(end + timedelta(days=days))
    villages = village_names(runner.session, [o.village_code for o in officers])
    nested = InstanceRunner(runner.ctx, runner.session, runner.actor)
    enrolled = []
    for officer in officers:
        village = villages.get(officer.village_code)
        village_zh = village.zh if village is not None else officer.village_code
        record = {
            "officer_id": officer.id,
            "officer_name": officer.name,
            "village_code": officer.village_code,
            "village_name": village_zh,
            "town": officer.town,
            "training_instance_id": runner.instance.id,
            "training_title": data["title"],
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "place": data["place"],
            "content": data["content"],
            "planned_by": data["planned_by"],
            "approved_by": runner.actor,
            "result_due_at": due_at.isoformat(),
            "subject": f"{officer.name}（{village_zh}）{data['title']}",
        }
        key = f"{runner.instance.id}/{officer.id}"
        nested.start(ATTENDANCE, record, key, use_case="enrol_training_cohort")
        enrolled.append({"officer_id": officer.id, "officer_name": officer.name, "village_name": village_zh})
    return {"count": len(enrolled), "officers": enrolled, "result_due_at": due_at.isoformat()}


@operator("record_training")
def record_training(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the officer's attendance and result of the training on their record (``training_recorded``)."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    record: dict[str, Any] = {
        "attended": bool(data["attended"]),
        "result": str(data["result"]),
        "recorded_on": runner.ctx.clock.now().astimezone(CHINA).date().isoformat(),
    }
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        TRAINING_RECORDED,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=data["officer_name"],
        training_instance_id=data["training_instance_id"],
        title=data["training_title"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        place=data["place"],
        remarks=data.get("remarks") or "",
        **record,
    )
    return record


@operator("undertaking_officer")
def undertaking_officer(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The officer the undertaking is for: one on the roster in service (else the start is refused)."""
    officer = runner.session.get(OfficerModel, int(call.data["officer_id"]))
    if officer is None or officer.status != "in_service":
        raise OperatorFailedError(
            "辅警名册中没有编号为 {officer_id} 的在岗辅警",
            english="No officer in service has the number {officer_id}",
            officer_id=call.data["officer_id"],
        )
    village = village_names(runner.session, [officer.village_code]).get(officer.village_code)
    previous = undertaking_of(runner.session, officer.id)
    return {
        "officer_name": officer.name,
        "village_name": village.zh if village is not None else officer.village_code,
        "town": officer.town,
        "contract_start": officer.contract_start.isoformat(),
        "previous_signed_on": previous["signed_on"].isoformat() if previous else None,
    }


@operator("record_undertaking")
def record_undertaking(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the signed undertaking on the officer's record (``undertaking_recorded``)."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    data = call.data
    signed_on = _day(data["signed_on"], "signed_on")
    officer = data["undertaking_officer"]
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        UNDERTAKING_RECORDED,
        instance_id=runner.instance.id,
        officer_id=int(data["officer_id"]),
        officer_name=officer["officer_name"],
        signed_on=signed_on.isoformat(),
        remarks=data.get("remarks") or "",
    )
    return {"signed_on": signed_on.isoformat(), "recorded_by": runner.actor}


def _events(session: Session, action: str, officer_ids: Iterable[int]) -> list[AuditEventModel]:
    """The ``action`` events of instances about these officers, newest first."""
    about = select(InstanceSubjectModel.instance_id).where(
        InstanceSubjectModel.kind == "officer", InstanceSubjectModel.ref.in_(list(officer_ids))
    )
    return list(
        session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.action == action, AuditEventModel.instance_id.in_(about))
            .order_by(AuditEventModel.at.desc(), AuditEventModel.id.desc())
        )
    )


def training_history(session: Session, officer_id: int) -> list[dict[str, Any]]:
    """The officer's trainings with attendance and result, newest first."""
    rows = []
    for event in _events(session, TRAINING_RECORDED, [officer_id]):
        payload = event.payload
        if payload.get("officer_id") != officer_id:
            continue
        label = RESULT_LABELS.get(str(payload.get("result")), ("", ""))
        rows.append(
            {
                "title": payload.get("title"),
                "start_date": date.fromisoformat(payload["start_date"]),
                "end_date": date.fromisoformat(payload["end_date"]),
                "place": payload.get("place"),
                "attended": bool(payload.get("attended")),
                "result": payload.get("result"),
                "result_label": label[0],
                "result_label_en": label[1],
                "remarks": payload.get("remarks") or "",
                "recorded_by": event.actor,
                "instance_id": event.instance_id,
            }
        )
    return rows


def undertaking_of(session: Session, officer_id: int) -> dict[str, Any] | None:
    """The officer's latest registered confidentiality undertaking, None without one."""
    signed = signed_undertakings(session, [officer_id])
    return signed.get(officer_id)


def signed_undertakings(session: Session, officer_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{officer id: the latest undertaking}`` of those of ``officer_ids`` who have one."""
    found: dict[int, dict[str, Any]] = {}
    for event in _events(session, UNDERTAKING_RECORDED, officer_ids):
        officer_id = int(event.payload["officer_id"])
        found.setdefault(
            officer_id,
            {
                "signed_on": date.fromisoformat(event.payload["signed_on"]),
                "recorded_by": event.actor,
                "recorded_at": event.at,
                "instance_id": event.instance_id,
            },
        )
    return found


def officers_without_undertaking(session: Session) -> list[dict[str, Any]]:
    """The officers in service with no undertaking registered, by town and village: the bureau's list."""
    officers = list(
        session.scalars(
            select(OfficerModel)
            .where(OfficerModel.status == "in_service")
            .order_by(OfficerModel.town, OfficerModel.village_code, OfficerModel.id)
        )
    )
    signed = signed_undertakings(session, [o.id for o in officers])
    missing = [o for o in officers if o.id not in signed]
    villages = village_names(session, [o.village_code for o in missing])
    open_registrations = _open_registrations(session, [o.id for o in missing])
    return [
        {
            "officer_id": o.id,
            "name": o.name,
            "town": o.town,
            "village_code": o.village_code,
            "village_name": villages[o.village_code].zh if o.village_code in villages else o.village_code,
            "village_name_en": villages[o.village_code].en if o.village_code in villages else o.village_code,
            "contract_start": o.contract_start,
            "registration_instance_id": open_registrations.get(o.id),
        }
        for o in missing
    ]


def _open_registrations(session: Session, officer_ids: list[int]) -> dict[int, int]:
    """``{officer id: instance}`` of the undertaking registrations still running for these officers."""
    rows = session.execute(
        select(InstanceSubjectModel.ref, InstanceModel.id)
        .join(InstanceModel, InstanceModel.id == InstanceSubjectModel.instance_id)
        .where(
            InstanceSubjectModel.kind == "officer",
            InstanceSubjectModel.ref.in_(officer_ids),
            InstanceModel.process_id == UNDERTAKING,
            InstanceModel.status == "running",
        )
    ).all()
    return {ref: instance_id for ref, instance_id in rows}
