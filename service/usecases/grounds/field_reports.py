"""Grounds panel of an officer's monthly field report: the station's review and scoring read it, and the
officer reads why it came back."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from service.persistence.models import BundleModel, DefinitionModel, InstanceModel
from service.persistence.models.field_reports import FieldReportModel
from service.usecases.field_reports import REPORT_FORM, STATUS_LABELS, month_report
from service.usecases.grounds.building import (
    Panel,
    PanelBuilder,
    Reading,
    beijing_time,
    column,
    deadline,
    display_name,
    field,
    month_text,
    panel,
    same,
)

TITLE = ("月度工作报告", "Monthly field report")


def field_report(reading: Reading) -> Panel | None:
    """The month's report of the task's officer: its state, when it came (late or not), the counts by
    duty named as the report's form names them, the highlights and the station's return or remarks."""
    data = reading.data
    if "officer_id" not in data or "month" not in data:
        return None
    report = month_report(reading.session, int(data["officer_id"]), str(data["month"]))
    if report is None:
        due = data.get("report_due_at")
        return panel(
            TITLE,
            [
                field(("报告月份", "Month"), month_text(data["month"])),
                field(("状态", "Status"), ("辅警尚未报送", "Not yet submitted by the officer")),
                *([field(("报送期限", "Due"), deadline(str(due)))] if due else []),
            ],
        )
    fields = [
        field(("报告月份", "Month"), month_text(report.month)),
        field(("状态", "Status"), STATUS_LABELS.get(report.status, same(report.status))),
        field(("报送时间", "Submitted at"), _submitted(report)),
    ]
    if report.entered_by:  # entered by the station's clerk from the officer's signed paper (on_behalf.py)
        who = display_name(reading.session, report.entered_by)
        fields.append(
            field(
                ("录入方式", "Entered"),
                (
                    f"由 {who} 代为录入（依据辅警签字的纸质报告）",
                    f"Entered by {who} on the officer's behalf, from the officer's signed paper report",
                ),
            )
        )
    if report.status == "returned" and report.return_reason:
        fields.append(field(("退回理由", "Reason for the return"), same(report.return_reason)))
    if report.status == "confirmed":
        who, at = display_name(reading.session, report.confirmed_by), beijing_time(report.confirmed_at)
        fields.append(field(("确认", "Confirmed"), (f"{who}，{at[0]}", f"{who}, {at[1]}")))
    if report.station_remarks:
        fields.append(field(("派出所意见", "Station's remarks"), same(report.station_remarks)))
    if report.highlights:
        fields.append(field(("工作亮点及其他工作", "Highlights and other work"), same(report.highlights)))
    titles = _count_titles(reading, report)
    rows = [(titles.get(key, same(key)), same(value)) for key, value in (report.counts or {}).items()]
    columns = [column(("工作项目", "Duty")), column(("数量", "Count"), True)]
    return panel(TITLE, fields, columns=columns, rows=rows)


def _submitted(report: FieldReportModel) -> tuple[str, str]:
    at = beijing_time(report.submitted_at)
    if report.late:
        return f"{at[0]}（逾期报送）", f"{at[1]} (late)"
    return at


def _count_titles(reading: Reading, report: FieldReportModel) -> dict[str, tuple[str, str]]:
    """Each count's title from the report form of the report's own bundle (the appraisal's bundle, which
    this panel is also shown in, does not hold that form)."""
    form = _report_form(reading, report)
    properties: dict[str, Any] = (form or {}).get("properties") or {}
    return {
        key: (str(spec.get("title") or key), str(spec.get("x-title-en") or spec.get("title") or key))
        for key, spec in properties.items()
    }


def _report_form(reading: Reading, report: FieldReportModel) -> dict[str, Any] | None:
    files = reading.session.scalar(
        select(BundleModel.files)
        .join(DefinitionModel, DefinitionModel.bundle_sha256 == BundleModel.sha256)
        .join(InstanceModel, InstanceModel.definition_id == DefinitionModel.id)
        .where(InstanceModel.id == report.instance_id)
    )
    text = (files or {}).get(REPORT_FORM)
    if isinstance(text, dict):
        return text
    return json.loads(text) if text else None


PANELS: dict[str, PanelBuilder] = {"field_report": field_report}
