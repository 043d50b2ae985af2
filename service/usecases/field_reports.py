"""Officers' monthly field reports (issue 17, point 7): the report started with the month, its operators,
and what the station's appraisal and the officer's page read of it.

Each officer in service reports the month's work (the duties the policy lists, as counts, and free-text
highlights) in their own queue (lane ``officer:{officer_id}``, worked by the account linked to the officer);
the station confirms the report or returns it for correction (bpmn/fieldreports/field_report.bpmn). The
report starts with the month's appraisal, in the same batch and transaction (``prepare_reports``), so a
month has both or neither; its due time is the model's ``dueDayOfNextMonth`` on the officer's task. The
operators keep one ``field_reports`` row per officer and month and audit each submission, return and
confirmation; the counts are the integer fields of the report form of the instance's own bundle, so a
designer who adds a duty to the form changes no code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    DefinitionModel,
    HumanTaskModel,
    OfficerModel,
    VillageModel,
)
from service.persistence.models.field_reports import FieldReportModel
from service.usecases.batch_start import PreparedStart, prepare
from service.usecases.directory import Caller
from service.usecases.errors import NotFoundError, OperatorFailedError
from service.usecases.names import Name, person_names
from service.usecases.runner import InstanceRunner, operator
from workflows.budget import ActionLimits
from workflows.ports import CHINA
from workflows.scripting import OperatorCall
from workflows.specs import ProcessSpecs

PROCESS_ID = "field_report"
REPORT_TASK = "submit_report"  # the officer's task: its form holds the counts, its model the due day
REPORT_FORM = "field_report.json"  # its form, as the panels find it in a report's bundle
STATUS_LABELS = {
    "submitted": ("待派出所审核", "Waiting for the station"),
    "returned": ("退回修改", "Returned for correction"),
    "confirmed": ("已确认", "Confirmed"),
}


def report_due_day(specs: ProcessSpecs) -> int:
    """The day of the following month the report is due, from the model (``dueDayOfNextMonth``)."""
    info = specs.user_task(PROCESS_ID, REPORT_TASK)
    if info is None or info.due_day_of_next_month is None:
        raise OperatorFailedError(
            "月度工作报告模型的“{task}”缺少报送期限 dueDayOfNextMonth（1 至 28 日）",
            english="The field report model's task {task} lacks its due day dueDayOfNextMonth (1 to 28)",
            task=REPORT_TASK,
        )
    return info.due_day_of_next_month


def report_definition(runner: InstanceRunner) -> tuple[DefinitionModel, ProcessSpecs] | None:
    """The field report's newest definition and specs; None where the family is not deployed (an
    installation upgraded from before deploys ``bpmn/fieldreports`` once; until then months start without
    reports)."""
    try:
        definition = runner.latest_definition(PROCESS_ID)
    except NotFoundError:
        return None
    return definition, runner.specs_for(definition.id)


def prepare_reports(
    specs: ProcessSpecs,
    officers: Iterable[tuple[OfficerModel, VillageModel]],
    month: str,
    due_at: datetime,
    now: datetime,
    limits: ActionLimits,
) -> list[PreparedStart]:
    """One report per officer, run to the officer's task without the database (the month's batch writes
    them with the appraisals; business key ``<month>/<officer id>/report``, the appraisal's and a suffix, so
    a look-up of the month's appraisal by its key still finds one instance)."""
    return [
        prepare(
            specs,
            PROCESS_ID,
            officer.id,
            {
                "officer_id": officer.id,
                "officer_name": officer.name,
                "village_code": village.code,
                "village_name": village.name_zh,
                "town": officer.town,
                "month": month,
                "report_due_at": due_at.isoformat(),
                "subject": f"{officer.name}（{village.name_zh}）{month}",
            },
            f"{month}/{officer.id}/report",
            use_case="start_month",
            now=now,
            limits=limits,
        )
        for officer, village in officers
    ]


def _counts(runner: InstanceRunner, data: Any) -> dict[str, int]:
    """The numbers of the report: the integer fields of the officer's form in this instance's bundle."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    specs = runner.specs_for(runner.instance.definition_id)
    info = specs.user_task(PROCESS_ID, REPORT_TASK)
    form = specs.forms.get(info.form or "") if info is not None else None
    properties = (form or {}).get("properties") or {}
    fields = [key for key, spec in properties.items() if spec.get("type") == "integer"]
    return {key: int(data[key]) for key in fields if isinstance(data.get(key), int)}


def _report(runner: InstanceRunner, data: Any) -> FieldReportModel | None:
    return runner.session.scalars(
        select(FieldReportModel).where(
            FieldReportModel.officer_id == int(data["officer_id"]),
            FieldReportModel.month == str(data["month"]),
        )
    ).first()


def _record(runner: InstanceRunner, action: str, report: FieldReportModel, **extra: Any) -> dict[str, Any]:
    """Audit the step with the report as it now stands, and give the process its record."""
    now = runner.ctx.clock.now()
    audit.record(
        runner.session,
        now,
        runner.actor,
        action,
        instance_id=report.instance_id,
        officer_id=report.officer_id,
        month=report.month,
        status=report.status,
        counts=report.counts,
        highlights=report.highlights,
        late=report.late,
        **extra,
    )
    return {
        "status": report.status,
        "late": report.late,
        "returns": report.returns,
        "by": runner.actor,
        "at": now.isoformat(),
    }


@operator("record_field_report_submitted")
def record_submitted(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The officer's report (first or corrected) waits for the station; late if after its due time."""
    data, now = call.data, runner.ctx.clock.now()
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    due_at = datetime.fromisoformat(str(data["report_due_at"])) if data.get("report_due_at") else None
    # Entered by the station's clerk from the officer's signed paper (service/usecases/on_behalf.py): the
    # report task being completed was taken from the officer's own queue (read before the report is added).
    entered_by = runner.actor if _taken_on_behalf(runner) else None
    report = _report(runner, data)
    if report is None:
        report = FieldReportModel(
            officer_id=int(data["officer_id"]),
            month=str(data["month"]),
            town=str(data["town"]),
            instance_id=runner.instance.id,
            due_at=due_at,
            returns=0,
        )
        runner.session.add(report)
    report.status = "submitted"
    report.counts = _counts(runner, data)
    report.highlights = str(data.get("highlights") or "").strip() or None
    report.submitted_by = runner.actor
    report.entered_by = entered_by
    report.submitted_at = now.astimezone(UTC)
    # Late once any sending (the first or a correction) comes after the due time, and kept: a return does
    # not move the due time, so the month's report reached the station complete only then.
    report.late = bool(report.late) or (due_at is not None and now > due_at)
    runner.session.flush()
    return _record(runner, "field_report_submitted", report, entered_by=report.entered_by)


def _taken_on_behalf(runner: InstanceRunner) -> bool:
    """Whether the report task now being completed was taken from the officer's queue to be entered."""
    assert runner.instance is not None  # noqa: S101 - operators run inside an instance
    taken = runner.session.scalar(
        select(HumanTaskModel.on_behalf_of).where(
            HumanTaskModel.instance_id == runner.instance.id,
            HumanTaskModel.spec_name == REPORT_TASK,
            HumanTaskModel.state.in_(OPEN_STATES),
        )
    )
    return taken is not None


@operator("record_field_report_returned")
def record_returned(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The station sends the report back to the officer with its reason."""
    report = _existing(runner, call.data)
    report.status = "returned"
    report.returns = (report.returns or 0) + 1
    report.return_reason = str(call.data.get("return_reason") or "").strip()
    report.station_remarks = str(call.data.get("station_remarks") or "").strip() or None
    runner.session.flush()
    return _record(runner, "field_report_returned", report, reason=report.return_reason)


@operator("record_field_report_confirmed")
def record_confirmed(runner: InstanceRunner, call: OperatorCall) -> dict[str, Any]:
    """The station confirms the report: from now on the month's grounds for the station's score."""
    report = _existing(runner, call.data)
    report.status = "confirmed"
    report.confirmed_by = runner.actor
    report.confirmed_at = runner.ctx.clock.now().astimezone(UTC)
    report.station_remarks = str(call.data.get("station_remarks") or "").strip() or None
    runner.session.flush()
    return _record(runner, "field_report_confirmed", report, remarks=report.station_remarks)


def _existing(runner: InstanceRunner, data: Any) -> FieldReportModel:
    report = _report(runner, data)
    if report is None:  # the review follows the submission's record in the same instance
        raise OperatorFailedError(
            "{month} 的工作报告尚未报送，无法审核", english="The report of {month} was never submitted",
            month=data.get("month"),
        )
    return report


def month_report(session: Session, officer_id: int, month: str) -> FieldReportModel | None:
    return session.scalars(
        select(FieldReportModel).where(
            FieldReportModel.officer_id == officer_id, FieldReportModel.month == month
        )
    ).first()


def report_history(session: Session, officer_id: int, limit: int = 24) -> list[dict[str, Any]]:
    """The officer's reports, newest month first (the officer's page and the officer's own list)."""
    reports = session.scalars(
        select(FieldReportModel)
        .where(FieldReportModel.officer_id == officer_id)
        .order_by(FieldReportModel.month.desc())
        .limit(limit)
    )
    found = list(reports)
    people = person_names(session, {report.entered_by for report in found if report.entered_by})
    return [report_row(report, people.get(report.entered_by or "")) for report in found]


def report_row(report: FieldReportModel, entered_by: Name | None = None) -> dict[str, Any]:
    """A report as the pages list it; ``entered_by``: the name of the clerk who entered it, if one did."""
    status = STATUS_LABELS.get(report.status, (report.status, report.status))
    return {
        "month": report.month,
        "status": report.status,
        "status_label": status[0],
        "status_label_en": status[1],
        "counts": dict(report.counts or {}),
        "total": sum(int(v) for v in (report.counts or {}).values()),
        "highlights": report.highlights,
        "late": report.late,
        "returns": report.returns,
        "return_reason": report.return_reason,
        "submitted_at": report.submitted_at.astimezone(CHINA).isoformat(),
        "confirmed_at": report.confirmed_at.astimezone(CHINA).isoformat() if report.confirmed_at else None,
        "entered_by": report.entered_by,
        "entered_by_name": (entered_by.zh if entered_by else report.entered_by)
        if report.entered_by
        else None,
    }


def own_reports(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """The caller's own reports, newest first (none for an account linked to no officer): the officer sees
    what they reported and what the station made of it, nobody else's."""
    if caller.officer_id is None:
        return []
    with ctx.database.reading() as session:
        return report_history(session, caller.officer_id)
