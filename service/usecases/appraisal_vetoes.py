"""Vetoes decided but not yet in a month's record: a veto counts from the moment the town government
decides it (issue 15, point 6), not from the sub-bureau's confirmation of the grade.

The appraisal record (appraisal_records) is written when the grade is confirmed; until then the decision
lives in the instance's data and in the audit trail's ``task_completed`` event of the ``veto_decision``
task (its ``submitted`` data, its actor, time and department). An instance between the two steps has its
``confirm_grade`` task open: those few instances are joined to their veto decision's event. Once the grade
is confirmed the task is completed and the record (with its ``veto``) takes over, so nothing counts twice.

The dashboard's numbers come from the counts the decision's and the confirmation's transactions keep
(service/persistence/appraisal_counts.py, rebuilt from the same rows); this module lists the vetoes
awaiting confirmation one by one, for the list behind the number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, true
from sqlalchemy.orm import Session

from service.persistence.appraisal_counts import CONFIRM_TASK, DECISION_TASK
from service.persistence.models import (
    ACTIVE_TASK,
    AuditEventModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
)


def _pending(months: list[str], towns: list[str] | None) -> Any:
    month_of = func.substr(InstanceModel.business_key, 1, 7)
    query = (
        select(
            HumanTaskModel.instance_id,
            InstanceModel.business_key,
            month_of.label("month"),
            DepartmentModel.town,
            AuditEventModel.actor,
            AuditEventModel.at,
            AuditEventModel.payload,
        )
        .select_from(HumanTaskModel)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .join(AuditEventModel, AuditEventModel.instance_id == HumanTaskModel.instance_id)
        .join(DepartmentModel, DepartmentModel.code == AuditEventModel.department_code)
        .where(
            text(f"human_tasks.{ACTIVE_TASK}"),
            HumanTaskModel.process_id == "appraisal",
            HumanTaskModel.spec_name == CONFIRM_TASK,
            month_of.in_(months),
            AuditEventModel.action == "task_completed",
            AuditEventModel.payload["element"].as_string() == DECISION_TASK,
            AuditEventModel.payload[("submitted", "veto")].as_boolean() == true(),
        )
    )
    if towns is not None:
        query = query.where(DepartmentModel.town.in_(towns))
    return query


def pending_rows(session: Session, month: str, towns: list[str] | None) -> list[dict[str, Any]]:
    """The vetoes of ``month`` decided and awaiting the grade's confirmation, one per officer (the latest
    decision if a task was decided twice), as rows of the month's results list."""
    latest: dict[int, dict[str, Any]] = {}
    for instance_id, key, _month, town, actor, at, payload in session.execute(
        _pending([month], towns).order_by(AuditEventModel.id)
    ):
        submitted = payload.get("submitted") or {}
        officer = str(key or "").split("/", 1)[-1]
        latest[instance_id] = {
            "instance_id": instance_id,
            "officer_id": int(officer) if officer.isdigit() else None,
            "month": month,
            "town": town,
            "veto": True,
            "veto_reason": submitted.get("veto_reason"),
            "veto_by": actor,
            "veto_at": at if isinstance(at, datetime) else None,
        }
    return list(latest.values())
