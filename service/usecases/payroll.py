"""Pay and funding (issue 17, point 8): the month's payroll the service company submits, checked by the
service against the roster and the district's auxiliary-police standard, then confirmed by Finance.

The policy: wages, benefits, the five insurances and housing fund and awards come from the district budget
"at the current auxiliary-police standard" (按照现行的辅警保障标准执行); Finance (财政金融局) guarantees the
funding. The standard's amounts are parameters of the model's ``open_payroll`` service task (bpmn/payroll/),
so the designer changes them in the modeler, not here; the month's instance keeps the standard it opened
with, so a change applies from the next month.

``check_payroll`` compares each row with the roster: the officer must be known and in service on some day of
the month (contract start and the day they left), with a confidentiality undertaking registered (an officer
without one is not paid: point 6); an officer in service the whole month is paid the standard exactly, one
in service part of it at most the standard; awards need a reward granted by the sub-bureau for the month or
the one before, up to ``award_max``; every officer in service that month with an undertaking must be listed,
once. A mismatch goes back to the service company with the reasons per row; Finance confirms a payroll that
matches, as someone other than its submitter (``separateFrom``), and ``record_payroll`` audits it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import (
    OPEN_STATES,
    AuditEventModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
    PayrollLineModel,
)
from service.usecases.errors import OperatorFailedError
from service.usecases.names import village_names
from service.usecases.roster.training import signed_undertakings
from service.usecases.runner import InstanceRunner, operator
from service.usecases.subjects import payroll_subject
from workflows.ports import CHINA
from workflows.scripting import OperatorCall

PROCESS_ID = "payroll"
OPENED = "payroll_opened"
CONFIRMED = "payroll_confirmed"
# The standard's items, in the order of the form and the grounds: (key, 中文, English).
ITEMS = (
    ("wage", "工资", "Wage"),
    ("pension", "养老保险", "Pension insurance"),
    ("medical", "医疗保险", "Medical insurance"),
    ("unemployment", "失业保险", "Unemployment insurance"),
    ("work_injury", "工伤保险", "Work-injury insurance"),
    ("maternity", "生育保险", "Maternity insurance"),
    ("housing_fund", "住房公积金", "Housing fund"),
)


def month_span(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _money(value: Any) -> float:
    return round(float(value), 2)


@operator("open_payroll")
def open_payroll(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The month's payroll and the standard it is checked against; one payroll per month."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    month = str(call.data["month"])
    standard = {}
    for key, zh, en in (*ITEMS, ("award_max", "奖励上限", "Award limit")):
        value = call.params.get(key)
        if not isinstance(value, int | float) or value < 0:
            raise OperatorFailedError(
                "保障标准“{item}”（{key}）应为不小于 0 的金额，模型中为 {value}",
                english=f"The standard's {en} ({{key}}) must be at least 0; the model says {{value}}",
                item=zh,
                key=key,
                value=value,
            )
        standard[key] = _money(value)
    other = _payroll_of(runner, month, runner.instance.id)
    if other is not None:
        _refuse_second(runner.session, month, other)
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        OPENED,
        instance_id=runner.instance.id,
        month=month,
    )
    return {"month": month, "standard": standard, "opened_by": runner.actor}


def _refuse_second(session: Session, month: str, other: int) -> None:
    """Refuse a second payroll of ``month``, naming the month and where the first one stands, in words (the
    page links to it through ``existing_instance_id``)."""
    status = session.scalar(select(InstanceModel.status).where(InstanceModel.id == other))
    step = session.execute(
        select(HumanTaskModel.name_zh, HumanTaskModel.name_en)
        .where(HumanTaskModel.instance_id == other, HumanTaskModel.state.in_(OPEN_STATES))
        .order_by(HumanTaskModel.created_at)
    ).first()
    if status == "completed":
        state = ("已由财政金融局确认", "already confirmed by Finance")
    elif step is not None:
        state = (f"正在办理，当前步骤：{step.name_zh}", f"in progress, now at “{step.name_en}”")
    else:
        state = ("正在办理", "in progress")
    subject = payroll_subject(month)
    raise OperatorFailedError(
        "本月份已有工资表“{subject}”（{state}），每月只能报送一份：请打开该工资表办理，不要重复报送",
        english="There is already a payroll for this month, “{subject_en}” ({state_en}); there is one per"
        " month: open that payroll instead of submitting another",
        subject=subject[0],
        subject_en=subject[1],
        state=state[0],
        state_en=state[1],
        month=month,
        existing_instance_id=other,
    )


def _payroll_of(runner: InstanceRunner, month: str, this: int) -> int | None:
    """Another running or completed payroll instance of ``month`` (a dozen events a year: read in Python)."""
    events = runner.session.execute(
        select(AuditEventModel.instance_id, AuditEventModel.payload)
        .join(InstanceModel, InstanceModel.id == AuditEventModel.instance_id)
        .where(
            AuditEventModel.action == OPENED,
            InstanceModel.status.in_(("running", "completed")),
            InstanceModel.id != this,
        )
    ).all()
    return next((instance_id for instance_id, payload in events if payload.get("month") == month), None)


def _granted_awards(runner: InstanceRunner, months: tuple[str, str]) -> set[int]:
    """Officers with a reward granted by the sub-bureau for either of ``months`` (reward_recorded events)."""
    events = runner.session.scalars(
        select(AuditEventModel.payload).where(AuditEventModel.action == "reward_recorded")
    )
    return {
        int(payload["officer_id"])
        for payload in events
        if payload.get("outcome") == "granted" and payload.get("month") in months
    }


def _previous(month: str) -> str:
    first, _ = month_span(month)
    before = date.fromordinal(first.toordinal() - 1)
    return f"{before.year:04d}-{before.month:02d}"


def officers_in_month(session: Session, month: str) -> list[OfficerModel]:
    """The officers in service on some day of ``month`` by the roster's dates, by town, village and id."""
    first, last = month_span(month)
    return list(
        session.scalars(
            select(OfficerModel)
            .where(
                OfficerModel.contract_start <= last,
                or_(OfficerModel.left_on.is_(None), OfficerModel.left_on >= first),
            )
            .order_by(OfficerModel.town, OfficerModel.village_code, OfficerModel.id)
        )
    )


@operator("check_payroll")
def check_payroll(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Check each row against the roster, the undertakings, the rewards and the standard; list what is
    missing. ``ok`` only when no row has a problem and nobody is missing."""
    data = call.data
    month = str(data["payroll_month"]["month"])
    standard = data["payroll_month"]["standard"]
    first, last = month_span(month)
    rows = list(data.get("rows") or [])
    serving = officers_in_month(runner.session, month)
    listed_ids = [int(row["officer_id"]) for row in rows]
    known = {
        o.id: o for o in runner.session.scalars(select(OfficerModel).where(OfficerModel.id.in_(listed_ids)))
    }
    in_month = {o.id for o in serving}
    signed = signed_undertakings(runner.session, [*in_month, *known])
    awarded = _granted_awards(runner, (month, _previous(month)))
    villages = village_names(runner.session, [o.village_code for o in [*serving, *known.values()]])
    seen: set[int] = set()
    checked = []
    totals = {key: 0.0 for key, _, _ in ITEMS} | {"awards": 0.0}
    for index, row in enumerate(rows, start=1):
        officer_id = int(row["officer_id"])
        officer = known.get(officer_id)
        problems: list[tuple[str, str]] = []
        if officer is None:
            problems.append(
                (f"名册中没有编号为 {officer_id} 的辅警", f"No officer numbered {officer_id} on the roster")
            )
        elif officer_id not in in_month:
            problems.append(_not_in_month(officer, first))
        elif officer_id not in signed:
            problems.append(
                (
                    "未登记保密承诺书，按规定不予发放：请删除此行",
                    "No confidentiality undertaking registered: not paid; remove the row",
                )
            )
        if officer_id in seen:
            problems.append(("同一辅警重复列出", "The officer is listed twice"))
        seen.add(officer_id)
        if officer is not None and officer_id in in_month:
            whole = officer.contract_start <= first and (officer.left_on is None or officer.left_on >= last)
            problems += _amount_problems(row, standard, whole)
            problems += _award_problems(row, standard, officer_id in awarded)
        for key in totals:
            totals[key] = round(totals[key] + _money(row.get(key) or 0), 2)
        village = villages.get(officer.village_code) if officer is not None else None
        checked.append(
            {
                "row": index,
                "officer_id": officer_id,
                "name": officer.name if officer is not None else "—",
                "village_name": village.zh if village is not None else "—",
                "village_name_en": village.en if village is not None else "—",
                "problems": [zh for zh, _ in problems],
                "problems_en": [en for _, en in problems],
            }
        )
    missing = [
        {
            "officer_id": o.id,
            "name": o.name,
            "village_name": villages[o.village_code].zh if o.village_code in villages else o.village_code,
            "village_name_en": villages[o.village_code].en if o.village_code in villages else o.village_code,
        }
        for o in sorted(serving, key=lambda o: (o.town, o.village_code, o.id))
        if o.id not in seen and o.id in signed
    ]
    unpaid = sorted(o.id for o in serving if o.id not in signed)
    mismatched = sum(1 for row in checked if row["problems"])
    return {
        "ok": not mismatched and not missing,
        "month": month,
        "rows": checked,
        "mismatched": mismatched,
        "missing": missing,
        "without_undertaking": unpaid,
        "expected": sum(1 for o in serving if o.id in signed),
        "listed": len(rows),
        "totals": totals,
        "total": round(sum(totals.values()), 2),
        "checked_at": runner.ctx.clock.now().isoformat(),
    }


def _not_in_month(officer: OfficerModel, first: date) -> tuple[str, str]:
    if officer.left_on is not None and officer.left_on < first:
        day = officer.left_on.isoformat()
        return f"该辅警已于 {day} 离岗，本月不在岗", f"The officer left on {day}, before the month"
    day = officer.contract_start.isoformat()
    return (
        f"该辅警合同自 {day} 开始，本月尚未在岗",
        f"The officer's contract starts on {day}, after the month",
    )


def _amount_problems(row: dict[str, Any], standard: dict[str, Any], whole: bool) -> list[tuple[str, str]]:
    """Each item off the standard: different from it for a whole month, above it for part of one."""
    problems = []
    for key, zh, en in ITEMS:
        paid, due = _money(row.get(key) or 0), _money(standard[key])
        if (whole and paid != due) or paid > due:
            if whole:
                problems.append(
                    (
                        f"{zh} {paid:.2f} 元，与标准 {due:.2f} 元不符",
                        f"{en} {paid:.2f} yuan differs from the standard {due:.2f} yuan",
                    )
                )
            else:
                problems.append(
                    (
                        f"{zh} {paid:.2f} 元，超过标准 {due:.2f} 元（本月部分在岗）",
                        f"{en} {paid:.2f} yuan is above the standard {due:.2f} yuan"
                        " (in service part of the month)",
                    )
                )
    return problems


def _award_problems(row: dict[str, Any], standard: dict[str, Any], granted: bool) -> list[tuple[str, str]]:
    awards, limit = _money(row.get("awards") or 0), _money(standard["award_max"])
    if awards and not granted:
        return [
            (
                f"奖励 {awards:.2f} 元：本月及上月没有公安分局予以奖励的决定",
                f"Awards {awards:.2f} yuan: no reward granted by the sub-bureau for this month or the last",
            )
        ]
    if awards > limit:
        return [
            (
                f"奖励 {awards:.2f} 元，超过上限 {limit:.2f} 元",
                f"Awards {awards:.2f} yuan above the limit {limit:.2f} yuan",
            )
        ]
    return []


@operator("record_payroll")
def record_payroll(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """Audit the confirmed payroll: month, officers, totals, who submitted and who confirmed it."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    check = call.data["payroll_check"]
    record = {
        "month": check["month"],
        "officers": check["listed"],
        "total": check["total"],
        "confirmed_on": runner.ctx.clock.now().astimezone(CHINA).date().isoformat(),
    }
    audit.record(
        runner.session,
        runner.ctx.clock.now(),
        runner.actor,
        CONFIRMED,
        instance_id=runner.instance.id,
        opened_by=call.data["payroll_month"]["opened_by"],
        totals=check["totals"],
        remarks=call.data.get("finance_remarks") or "",
        **record,
    )
    _record_lines(runner, check["month"], list(call.data.get("rows") or []), record["confirmed_on"])
    return record


def _record_lines(runner: InstanceRunner, month: str, rows: list[dict[str, Any]], confirmed_on: str) -> None:
    """Each officer's line of the confirmed payroll (the officer's page reads them, payroll_lines.py)."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    lines = []
    for row in rows:
        amounts = {key: _money(row.get(key) or 0) for key in (*(key for key, _, _ in ITEMS), "awards")}
        lines.append(
            {
                "instance_id": runner.instance.id,
                "month": month,
                "officer_id": int(row["officer_id"]),
                **amounts,
                "total": round(sum(amounts.values()), 2),
                "confirmed_on": date.fromisoformat(confirmed_on),
                "confirmed_by": runner.actor,
            }
        )
    if lines:
        runner.session.execute(insert(PayrollLineModel), lines)
