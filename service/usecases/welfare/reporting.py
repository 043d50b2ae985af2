"""The station reports an injury or a death on duty of one of its town's officers: the process starts.

Both models declare ``startedBy="usecase:<name>"``: the service starts them, not ``POST /api/v1/instances``,
because the start carries what the station cannot be trusted to type (the officer's name, village and town,
read from the roster) and only the officer's own town's station may report (a member of
``police_station:<town>``). What the station does type is the report's form (report_forms/, the service's:
a start by a use case takes no start form of the model), validated as any form is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel, InstanceModel, OfficerModel, VillageModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.incidents import incidents_recorded
from service.usecases.officer_labels import IN_SERVICE, status_label
from service.usecases.runner import InstanceRunner
from service.usecases.submissions import check_submission
from workflows.forms import FormBundle
from workflows.ports import CHINA
from workflows.specs import ProcessSpecs

FORMS_DIR = Path(__file__).resolve().parent / "report_forms"


@dataclass(frozen=True)
class Report:
    """One kind of report: the process it starts, the use case its model names, the form's date field."""

    process_id: str
    use_case: str
    form: str  # under report_forms/: the service's, as the start data it completes is the service's
    date_field: str
    name: tuple[str, str]


REPORTS: dict[str, Report] = {
    "work_injury": Report(
        "work_injury",
        "report_work_injury",
        "work_injury_report.json",
        "injury_date",
        ("因公受伤", "injury on duty"),
    ),
    "death_on_duty": Report(
        "death_on_duty",
        "report_death_on_duty",
        "death_report.json",
        "death_date",
        ("因公牺牲", "death on duty"),
    ),
}


def station_of(town: str) -> str:
    return f"police_station:{town}"


def may_report(caller: Caller, officer: dict[str, Any]) -> bool:
    """Whether ``caller`` may report for ``officer`` (a roster row): the station of the officer's town,
    while the officer is in service."""
    return caller.in_department(station_of(officer["town"])) and officer["status"] == IN_SERVICE


def _officer(session: Any, officer_id: int) -> tuple[OfficerModel, VillageModel]:
    found = session.execute(
        select(OfficerModel, VillageModel)
        .join(VillageModel, VillageModel.code == OfficerModel.village_code)
        .where(OfficerModel.id == officer_id)
    ).first()
    if found is None:
        raise NotFoundError(
            "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer_id
        )
    return found[0], found[1]


def _check_reporter(caller: Caller, officer: OfficerModel, kind: Report) -> None:
    if not caller.in_department(station_of(officer.town)):
        # Another town's officer is as unknown to a station as one that does not exist (the roster's rule).
        raise NotFoundError(
            "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer.id
        )
    if officer.status != IN_SERVICE:
        label = status_label(officer.status)
        raise ConflictError(
            "{name}已不在岗（{status}），不能再报告{kind}",
            english="{name} is no longer in service ({status_en}); no {kind_en} can be reported",
            name=officer.name,
            status=label[0],
            status_en=label[1],
            kind=kind.name[0],
            kind_en=kind.name[1],
        )


def report_form(ctx: ServiceContext, caller: Caller, officer_id: int, kind: str) -> dict[str, Any]:
    """The report's form (JSON Schema) for the officer's station (else 404/409 as ``report``)."""
    report_kind = REPORTS[kind]
    with ctx.database.reading() as session:
        officer, _village = _officer(session, officer_id)
        _check_reporter(caller, officer, report_kind)
    return _form(report_kind)


def _form(kind: Report) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((FORMS_DIR / kind.form).read_text(encoding="utf-8"))
    return schema


def _check_model(specs: ProcessSpecs, kind: Report) -> None:
    """The deployed model must still say that the station's report starts it (a designer may change it)."""
    rule = specs.start_rules.get(kind.process_id)
    if rule is None or rule.use_case != kind.use_case:
        raise ForbiddenError(
            "流程“{process_id}”的模型未声明由派出所报告启动（startedBy=usecase:{use_case}）",
            process_id=kind.process_id,
            use_case=kind.use_case,
        )


def report(
    ctx: ServiceContext, caller: Caller, officer_id: int, kind: str, data: dict[str, Any]
) -> InstanceModel:
    """Start ``kind``'s process for the officer with the station's ``data`` (its start form's fields) and the
    officer's facts from the roster; one transaction with the start's audit events."""
    report_kind = REPORTS[kind]
    try:
        with incidents_recorded(ctx), ctx.database.transaction() as session:
            officer, village = _officer(session, officer_id)
            _check_reporter(caller, officer, report_kind)
            runner = InstanceRunner(ctx, session, caller.username)
            specs = runner.specs_for(runner.latest_definition(report_kind.process_id).id)
            _check_model(specs, report_kind)
            check_submission(FormBundle({report_kind.form: _form(report_kind)}), report_kind.form, data)
            _check_day(
                officer,
                report_kind,
                str(data[report_kind.date_field]),
                ctx.clock.now().astimezone(CHINA).date(),
            )
            day = data[report_kind.date_field]
            start = {
                **data,
                "officer_id": officer.id,
                "officer_name": officer.name,
                "village_code": village.code,
                "village_name": village.name_zh,
                "town": officer.town,
                "reported_by": caller.username,
                "reported_at": ctx.clock.now().isoformat(),
                # What happened stands in the subject: a date alone says nothing in a queue or a list.
                "subject": f"{officer.name}（{village.name_zh}）{report_kind.name[0]} {day}",
            }
            # One report of a death per officer; one of an injury per officer and day.
            key = f"{officer.id}" if kind == "death_on_duty" else f"{officer.id}/{data['injury_date']}"
            if session.scalar(
                select(InstanceModel.id).where(
                    InstanceModel.process_id == report_kind.process_id, InstanceModel.business_key == key
                )
            ):
                raise _already_reported(officer.name, report_kind)
            return runner.start(report_kind.process_id, start, key, use_case=report_kind.use_case)
    except IntegrityError as error:  # the same report made a moment earlier by a colleague
        raise _already_reported(str(officer_id), report_kind) from error


def _check_day(officer: OfficerModel, kind: Report, day: str, today: date) -> None:
    """The day reported lies in the officer's service: from the contract's start to today."""
    if officer.contract_start <= date.fromisoformat(day) <= today:
        return
    raise InvalidInputError(
        "日期应在合同开始日期 {start} 至今天 {today} 之间",
        errors={
            kind.date_field: [
                f"应在 {officer.contract_start} 至 {today} 之间",
                f"Must lie between {officer.contract_start} and {today}",
            ]
        },
        english="The day must lie between the contract start {start} and today {today}",
        start=officer.contract_start.isoformat(),
        today=today.isoformat(),
    )


def next_task_of(ctx: ServiceContext, caller: Caller, instance_id: int) -> str | None:
    """The report's next task for the reporter's own department (the injury's claim), if it opened one."""
    with ctx.database.reading() as session:
        task_id: str | None = session.scalar(
            select(HumanTaskModel.id)
            .where(
                HumanTaskModel.instance_id == instance_id,
                HumanTaskModel.state.in_(OPEN_STATES),
                HumanTaskModel.department_code.in_(sorted(caller.departments)),
            )
            .order_by(HumanTaskModel.created_at)
        )
        return task_id


def _already_reported(name: str, kind: Report) -> ConflictError:
    return ConflictError(
        "{name}的这次{kind}已经报告过，请在待办或流程中查看",
        english="This {kind_en} of {name} has already been reported: see the tasks or the instance",
        name=name,
        kind=kind.name[0],
        kind_en=kind.name[1],
    )
