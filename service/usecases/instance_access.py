"""Which instances a member of staff reads: those their departments work on (a human task of theirs), and,
for the sub-bureau, every instance of its recruitment campaigns. The campaign's screening and hiring
instances are started by the bureau's own registrations and decisions but hold no task of its lanes (the
screening is a decision and a service task only), so without this the bureau could not read the screening
results it caused. The sub-bureau also reads every officer case (the processes of the officers' dashboard,
issue 17): it runs the auxiliary police, and a work injury or a payroll has no step in its lane, so it could
not open the cases its dashboard counts. Auditors and designers read every instance
(service/usecases/instances.py)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from service.persistence.db import SHARED_MEMO
from service.persistence.models import HumanTaskModel, InstanceModel
from service.usecases.directory import Caller

# The processes of a recruitment campaign, all run by the sub-bureau: the campaign itself, each applicant's
# screening and each post's hiring.
CAMPAIGN_PROCESSES = ("recruitment", "applicant_screening", "post_hiring")
CAMPAIGN_DEPARTMENT = "police_bureau"
# The officer processes, in the order the officers' dashboard shows them (the appraisal and the recruitment
# have dashboards of their own): every instance of them is the sub-bureau's to read.
OFFICER_PROCESSES = (
    "dismissal",
    "reward_decision",
    "contract_renewal",
    "work_injury",
    "death_on_duty",
    "payroll",
    "confidentiality_undertaking",
    "training",
    "training_attendance",
    "field_report",
)


def readable_by_staff(caller: Caller) -> ColumnElement[bool]:
    """The condition on ``InstanceModel`` rows a member of staff (no auditor, no designer) may read."""
    # Correlated on the instance only: a query over the tasks too (the officers' dashboard's counts) keeps
    # this subquery's own tasks.
    worked_on = exists(
        select(HumanTaskModel.id)
        .where(
            HumanTaskModel.instance_id == InstanceModel.id,
            HumanTaskModel.department_code.in_(sorted(caller.departments)),
        )
        .correlate(InstanceModel)
    )
    campaigns = (
        InstanceModel.process_id.in_((*CAMPAIGN_PROCESSES, *OFFICER_PROCESSES))
        if caller.in_department(CAMPAIGN_DEPARTMENT)
        else false()
    )
    return or_(campaigns, worked_on) if caller.departments else false()


def staff_may_read(session: Session, caller: Caller, instance_id: int) -> bool:
    if not caller.departments:  # readable_by_staff is false: no query (an auditor's "WHERE 0 = 1")
        return False
    # A page's shared read (Database.shared_reading: one transaction that writes nothing) asks once: the
    # instance page's diagram, detail, history, comments and attachments each asked again (issue 16).
    memo: dict[tuple[str, int], bool] | None = None
    if SHARED_MEMO in session.info:
        memo = session.info[SHARED_MEMO].setdefault("staff_may_read", {})
        if (caller.username, instance_id) in memo:
            return memo[(caller.username, instance_id)]
    found = session.scalars(
        select(InstanceModel.id).where(and_(InstanceModel.id == instance_id, readable_by_staff(caller)))
    ).first()
    if memo is not None:
        memo[(caller.username, instance_id)] = found is not None
    return found is not None
