"""Work injury (工伤): the officer's injury leave, the outcome on the officer's record, and leaving the post.

``record_duty_status`` records the status the model's service task names (its parameter ``status``:
``injury_leave`` when the station reports, ``back_at_work`` when it records the return), so the designer
moves or adds a step without code. The report opens the officer's injury leave (``injury_leaves``, read by
the roster and the appraisal's month start through service/usecases/injury_leave.py) from the injury day
for at most the model's ``max_leave_months`` (工伤保险条例 第三十三条: 12 months, extended by at most
12 more); the return ends it on the day back. ``record_work_injury`` records the recognition as soon as
it is made (with its grounds and disability grade); one that refuses the injury ends the leave that day.
``record_injury_benefits`` records the benefits once finance confirmed them. ``record_left_post`` (the
grades the model's gateway sends there, 一至四级 under 第三十五条) puts the officer out of service as
``left_post_injury`` from the day the service company gives, the labour relation kept: the post is a
vacancy from then on. All are audit events (append-only and kept, as the rewards' are:
service/usecases/roster/rewards.py), read back for the officer's page by ``injury_history``; each change
of the leave or the status is in the transaction of its event.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import AuditEventModel, InjuryLeaveModel, InstanceModel, OfficerModel
from service.usecases.errors import OperatorFailedError
from service.usecases.injury_leave import leave_of
from service.usecases.officer_labels import IN_SERVICE, INJURY_EXIT, status_label
from service.usecases.runner import InstanceRunner, operator
from workflows.calendar_months import add_months
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

PROCESS_ID = "work_injury"
STATUS_RECORDED = "duty_status_recorded"
RECORDED = "work_injury_recorded"
BENEFITS_RECORDED = "work_injury_benefits_recorded"
# The duty status and the day it took effect: the report's injury day, the return's day, the day the
# officer left the post, the day a recognition refused the injury. The model names the first two
# (MODEL_STATUSES); the others are written by the operators that decide them.
DUTY_STATUSES: dict[str, tuple[str, str, str]] = {
    "injury_leave": ("工伤休假", "On injury leave", "injury_date"),
    "back_at_work": ("已复岗", "Back at work", "return_date"),
    "left_post": ("因工伤退出岗位", "Left the post after a work injury", "left_post_on"),
    "leave_ended": ("不予认定，工伤休假结束", "Not recognised; the injury leave ended", ""),
}
MODEL_STATUSES = ("injury_leave", "back_at_work")
OUTCOME_LABELS = {
    "recognised": ("认定为工伤", "Recognised"),
    "not_recognised": ("不予认定", "Not recognised"),
    "pending": ("认定中", "Being decided"),
}
GRADE_LABELS = {"none": ("未达伤残等级", "No disability grade")} | {
    f"grade_{n}": (f"{'一二三四五六七八九十'[n - 1]}级伤残", f"Grade {n} disability") for n in range(1, 11)
}
AMOUNT_FIELDS = ("medical_expenses", "wages_during_leave", "disability_allowance")
# The reason for leaving the roster gets when an officer leaves the post after a work injury, and its English
# (the officer's page and the roster show the reader's: death.leave_reason_en).
EXIT_REASON = "因工致残被鉴定为{grade}，保留劳动关系，退出工作岗位（工伤保险条例第三十五条）：{grounds}"
EXIT_REASON_EN = (
    "{grade} after a work injury: the labour relation kept, the officer left the post "
    "(Regulations on Work-Related Injury Insurance, art. 35): {grounds}"
)
_EXIT_PREFIX, _EXIT_MIDDLE = (
    EXIT_REASON.split("{grade}")[0],
    EXIT_REASON.split("{grade}")[1].split("{grounds}")[0],
)


def exit_reason_en(reason: str) -> str | None:
    """The English of a reason ``record_left_post`` wrote (None for any other reason)."""
    if not reason.startswith(_EXIT_PREFIX) or _EXIT_MIDDLE not in reason:
        return None
    grade, grounds = reason[len(_EXIT_PREFIX) :].split(_EXIT_MIDDLE, 1)
    english = {zh: en for zh, en in GRADE_LABELS.values()}.get(grade, grade)
    return EXIT_REASON_EN.format(grade=english, grounds=grounds)


@operator("record_duty_status")
def record_duty_status(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Record the officer's duty status the model names (``status``), from the day the data gives: the
    report opens the injury leave (for at most ``max_leave_months``), the return ends it."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    status = str(call.params.get("status") or "")
    if status not in MODEL_STATUSES:
        raise OperatorFailedError(
            "工伤状态 status 应为 {known} 之一，模型中为 {value}",
            english="The duty status must be one of {known}; the model says {value}",
            known=", ".join(MODEL_STATUSES),
            value=status,
        )
    data = call.data
    since = str(data.get(DUTY_STATUSES[status][2]) or "")
    record: dict[str, Any] = {"status": status, "since": since}
    if status == "injury_leave":
        record.update(_open_leave(runner, call))
    else:
        record.update(_end_leave(runner, date.fromisoformat(since), "returned"))
    _status_event(runner, data, record)
    return record


def _status_event(runner: InstanceRunner, data: Any, record: dict[str, Any]) -> None:
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
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


def _open_leave(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Open the injury leave from the injury day, for at most the model's ``max_leave_months``."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    months = call.params.get("max_leave_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 24:
        raise OperatorFailedError(
            "停工留薪期上限 max_leave_months 应为 1 至 24 之间的整数（月），模型中为 {value}",
            english="The longest injury leave max_leave_months must be a whole number of months from 1 to 24;"
            " the model says {value}",
            value=months,
        )
    start = date.fromisoformat(str(call.data["injury_date"]))
    limit = add_months(start, months) - timedelta(days=1)
    runner.session.add(
        InjuryLeaveModel(
            instance_id=runner.instance.id,
            officer_id=int(call.data["officer_id"]),
            leave_from=start,
            leave_limit=limit,
            max_months=months,
        )
    )
    return {"until_at_most": limit.isoformat(), "max_leave_months": months}


def _end_leave(runner: InstanceRunner, day: date, reason: str) -> dict[str, Any]:
    """End the instance's leave on ``day`` (the first day off it); a leave ended already stays as it is."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    leave = leave_of(runner.session, runner.instance.id)
    if leave is None or leave.ended_on is not None:
        return {"leave_ended": False}
    if day < leave.leave_from:
        raise OperatorFailedError(
            "日期 {day} 早于受伤日期 {start}",
            english="The day {day} is before the day of the injury {start}",
            day=day.isoformat(),
            start=leave.leave_from.isoformat(),
        )
    leave.ended_on, leave.end_reason = day, reason
    return {"leave_ended": True, "leave_ended_on": day.isoformat()}


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
    if not recognised:
        # Not a work injury: no injury leave from the day of the decision (the absence after it is ordinary
        # sick leave, outside this policy); the station still records the day the officer came back.
        today = runner.ctx.clock.now().astimezone(CHINA).date()
        ended = _end_leave(runner, today, "not_recognised")
        if ended["leave_ended"]:
            _status_event(runner, data, {"status": "leave_ended", "since": today.isoformat()})
    return record


@operator("record_injury_benefits")
def record_injury_benefits(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Put the benefits on the officer's record once finance confirmed their funding."""
    data = call.data
    record: dict[str, Any] = {"amounts": {name: data.get(name) for name in AMOUNT_FIELDS}}
    _record(runner, BENEFITS_RECORDED, data, record)
    return record


@operator("record_left_post")
def record_left_post(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The officer leaves the post after the work injury (the grades the model's gateway sends here): out
    of service as ``left_post_injury`` from the day the service company gives, the labour relation kept
    (保留劳动关系，退出工作岗位); the leave ends that day and the post is a vacancy for the next campaign."""
    # Imported here: the roster's listing reads this module for the officer's page, and status imports it.
    from service.usecases.roster.status import leave_service, snapshot  # noqa: PLC0415

    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    session, data = runner.session, call.data
    officer = session.scalars(
        select(OfficerModel).where(OfficerModel.id == int(data["officer_id"])).with_for_update()
    ).first()
    if officer is None:
        raise OperatorFailedError(
            "辅警 {officer_id} 已不在名册中",
            english="Officer {officer_id} is no longer on the roster",
            officer_id=data["officer_id"],
        )
    today = runner.ctx.clock.now().astimezone(CHINA).date()
    day = date.fromisoformat(str(data["left_post_on"]))
    earliest = max(officer.contract_start, date.fromisoformat(str(data["injury_date"])))
    if not earliest <= day <= today:
        raise OperatorFailedError(
            "退出工作岗位日期应在 {start} 至今天 {today} 之间",
            english="The day of leaving the post must lie between {start} and today {today}",
            start=earliest.isoformat(),
            today=today.isoformat(),
        )
    grade = GRADE_LABELS.get(str(data.get("disability_grade")), ("—", "—"))
    grounds = str(data.get("recognition_grounds") or "").strip()
    reason = EXIT_REASON.format(grade=grade[0], grounds=grounds)
    before = snapshot(officer)
    changed = officer.status == IN_SERVICE
    if changed:  # one who left service meanwhile keeps the record of that leaving
        leave_service(officer, INJURY_EXIT, day, reason)
    ended = _end_leave(runner, day, "left_post")
    audit.record(
        session,
        runner.ctx.clock.now(),
        runner.actor,
        "officer_status_changed",
        instance_id=runner.instance.id,
        department_code="service_company",
        officer_id=officer.id,
        officer_name=officer.name,
        grounds=reason,
        grounds_en=EXIT_REASON_EN.format(grade=grade[1], grounds=grounds),
        disability_grade=data.get("disability_grade"),
        injury_date=data["injury_date"],
        contract="kept",
        contract_note=str(data.get("exit_note") or ""),
        before=before,
        after=snapshot(officer),
    )
    _status_event(runner, data, {"status": "left_post", "since": day.isoformat(), **ended})
    return {
        "status": officer.status,
        "status_label": status_label(officer.status)[0],
        "changed": changed,
        "left_on": day.isoformat(),
        "contract": "kept",
    }


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
            if payload.get("until_at_most"):
                row["leave_until_at_most"] = payload["until_at_most"]
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


# An injury still on leave by its record when the officer left service (died, resigned...) ends with them:
# the officer's page shows that final state from the day they left, not 工伤休假 after the death.
LEFT_SERVICE_STATES: dict[str, tuple[str, str]] = {
    "died_on_duty": ("已牺牲", "Died on duty"),
    "deceased": ("已去世", "Deceased"),
}
LEFT_SERVICE = ("已离岗", "Left service")


def with_final_state(rows: list[dict[str, Any]], status: str, left_on: date | None) -> list[dict[str, Any]]:
    """``injury_history``'s rows of an officer now ``status`` (left service on ``left_on``): an injury whose
    last duty status is the leave shows the officer's leaving as its final state."""
    if status == IN_SERVICE:
        return rows
    zh, en = LEFT_SERVICE_STATES.get(status, LEFT_SERVICE)
    for row in rows:
        if row.get("status") == "injury_leave":
            row.update(status="left_service", status_label=zh, status_label_en=en, leave_until_at_most=None)
            row["status_since"] = left_on.isoformat() if left_on else row.get("status_since")
    return rows


def _pending_row(instance_id: int | None, payload: dict[str, Any]) -> dict[str, Any]:
    pending = OUTCOME_LABELS["pending"]
    return {
        "instance_id": instance_id,
        "injury_date": payload.get("injury_date"),
        "injury_place": payload.get("injury_place"),
        "injury": payload.get("injury"),
        "leave_until_at_most": None,
        "outcome": "pending",
        "outcome_label": pending[0],
        "outcome_label_en": pending[1],
        "grade_label": "—",
        "grade_label_en": "—",
        "grounds": None,
        "amounts": {},
        "total_amount": None,
    }
